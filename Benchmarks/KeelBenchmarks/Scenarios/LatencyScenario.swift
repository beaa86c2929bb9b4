import Foundation
import Keel

/// B: N runs of ``OneStep``, one at a time, each timed from the call to `trigger` to the return
/// of `result()` in the same process (local hand-off, one step commit, the terminal commit).
/// Figures: p50, p90, p99, mean and max in milliseconds.
struct LatencyScenario: Scenario {
    var id: ScenarioID { .B }
    var headline: [(key: String, label: String, unit: String)] {
        [("B_p50_ms", "p50", " ms"), ("B_p99_ms", "p99", " ms")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                for index in 0..<context.warmUpRuns { _ = try await engine.trigger(OneStep.self, input: -1 - index).result() }
                var samples: [Double] = []
                samples.reserveCapacity(n)
                var sum = 0
                for index in 0..<n {
                    let start = ContinuousClock.now
                    sum += try await engine.trigger(OneStep.self, input: index).result()
                    samples.append((ContinuousClock.now - start).milliseconds)
                }
                try check(sum == n * (n - 1) / 2, id, "sum of outputs \(sum), expected \(n * (n - 1) / 2)")
                let stats = Statistics(samples)
                return [
                    "B_p50_ms": stats.median, "B_p90_ms": stats.percentile(90), "B_p99_ms": stats.percentile(99),
                    "B_mean_ms": stats.mean, "B_max_ms": stats.max,
                ]
            }
        }
    }
}
