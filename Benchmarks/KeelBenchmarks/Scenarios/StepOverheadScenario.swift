import Foundation
import Keel
import KeelSQLite

/// S: one run of ``ManySteps`` with N steps (each journaled and committed before the next
/// starts: one run alone cannot share a commit), timed from trigger to result. On SQLite it runs
/// once with `synchronous=FULL` and once with `NORMAL`, each on a fresh file; `S_us_per_step` is
/// the figure at `--durability`. Figures: µs per step and, on SQLite, commits per step.
struct StepOverheadScenario: Scenario {
    var id: ScenarioID { .S }
    var headline: [(key: String, label: String, unit: String)] {
        [("S_us_per_step", "per step", " µs"), ("S_full_us_per_step", "FULL", " µs"), ("S_normal_us_per_step", "NORMAL", " µs")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        switch context.store {
        case .postgres:
            return try await oneRun(store: context.store, context).mapKeys { "S_\($0)" }
        case .sqlite(let durability, _):
            let full = try await oneRun(store: context.store.with(durability: .full), context)
            let normal = try await oneRun(store: context.store.with(durability: .normal), context)
            let chosen = durability == .full ? full : normal
            return chosen.mapKeys { "S_\($0)" }.merging(full.mapKeys { "S_full_\($0)" }) { $1 }.merging(normal.mapKeys { "S_normal_\($0)" }) { $1 }
        }
    }

    private func oneRun(store: BenchStore, _ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        return try await store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                if context.warmUpRuns > 0 { _ = try await engine.trigger(ManySteps.self, input: 10 * context.warmUpRuns).result() }
                let commitsBefore = fresh.commits?.read()
                let start = ContinuousClock.now
                let sum = try await engine.trigger(ManySteps.self, input: n).result()
                let elapsed = ContinuousClock.now - start
                try check(sum == n * (n - 1) / 2, id, "\(n) steps summed to \(sum), expected \(n * (n - 1) / 2)")
                var figures: Figures = ["us_per_step": elapsed.microseconds / Double(n)]
                if let commitsBefore, let commitsAfter = fresh.commits?.read() {
                    figures["commits_per_step"] = Double(commitsAfter &- commitsBefore) / Double(n)
                }
                return figures
            }
        }
    }
}

extension Dictionary where Key == String {
    /// The same values under new keys.
    func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
