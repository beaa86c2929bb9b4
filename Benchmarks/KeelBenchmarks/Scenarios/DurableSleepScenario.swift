import Foundation
import Keel

/// D: N runs of ``SleepThenStep`` (a durable 0.1 s sleep, then a step) triggered all at once and
/// awaited. Timed from the first trigger to the last result; the ideal is 0.1 s plus the work.
/// Figures: seconds, and the overhead over the 0.1 s sleep.
struct DurableSleepScenario: Scenario {
    var id: ScenarioID { .D }
    var headline: [(key: String, label: String, unit: String)] {
        [("D_s", "done in", " s"), ("D_overhead_s", "over 0.1 s", " s")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                for index in 0..<min(5, context.warmUpRuns) { _ = try await engine.trigger(SleepThenStep.self, input: -1 - index).result() }
                let start = ContinuousClock.now
                let sum = try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<n {
                        group.addTask { try await engine.trigger(SleepThenStep.self, input: index).result() }
                    }
                    return try await group.reduce(0, +)
                }
                let seconds = (ContinuousClock.now - start).seconds
                try check(sum == n * (n - 1) / 2, id, "sum of outputs \(sum), expected \(n * (n - 1) / 2)")
                try check(seconds >= 0.1, id, "\(n) runs that each sleep 0.1 s finished in \(seconds) s")
                return ["D_s": seconds, "D_overhead_s": seconds - 0.1]
            }
        }
    }
}
