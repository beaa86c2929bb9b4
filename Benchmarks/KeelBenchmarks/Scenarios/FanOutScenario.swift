import Foundation
import Keel

/// C: one ``FanOut`` parent that `batchTriggerAndWait`s N one-step children and sums their
/// outputs, then (on another fresh store) one that does so for 10 × N. Timed from the parent's
/// trigger to its result. Figures: seconds for N (`C_s`) and for 10 × N (`C10_s`).
struct FanOutScenario: Scenario {
    var id: ScenarioID { .C }
    var headline: [(key: String, label: String, unit: String)] {
        [("C_s", "N children", " s"), ("C10_s", "10×N children", " s")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let small = try await fanOut(children: context.n, context)
        let large = try await fanOut(children: 10 * context.n, context)
        return [
            "C_s": small, "C_children": Double(context.n), "C_children_per_s": Double(context.n) / small,
            "C10_s": large, "C10_children": Double(10 * context.n), "C10_children_per_s": Double(10 * context.n) / large,
        ]
    }

    private func fanOut(children: Int, _ context: ScenarioContext) async throws -> Double {
        try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                if context.warmUpRuns > 0 { _ = try await engine.trigger(FanOut.self, input: min(10, context.warmUpRuns)).result() }
                let start = ContinuousClock.now
                let sum = try await engine.trigger(FanOut.self, input: children).result()
                let seconds = (ContinuousClock.now - start).seconds
                try check(sum == children * (children - 1) / 2, id, "\(children) children summed to \(sum), expected \(children * (children - 1) / 2)")
                return seconds
            }
        }
    }
}
