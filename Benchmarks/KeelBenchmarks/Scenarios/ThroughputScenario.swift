import Foundation
import Keel

/// A and Ac: N runs of ``ThreeSteps`` awaited one after another (A), or all triggered at once
/// and awaited together with 32 slots (Ac). Timed from the first trigger to the last result.
/// Figures: runs/s, steps/s and, on SQLite, commits per run and commits/s.
struct ThroughputScenario: Scenario {
    let concurrent: Bool

    var id: ScenarioID { concurrent ? .Ac : .A }
    var headline: [(key: String, label: String, unit: String)] {
        let p = id.rawValue
        return [("\(p)_runs_per_s", "runs/s", ""), ("\(p)_steps_per_s", "steps/s", ""), ("\(p)_commits_per_run", "commits/run", "")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                for index in 0..<context.warmUpRuns { _ = try await engine.trigger(ThreeSteps.self, input: -1 - index).result() }
                let commitsBefore = fresh.commits?.read()
                let start = ContinuousClock.now
                var sum = 0
                if concurrent {
                    sum = try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<n {
                            group.addTask { try await engine.trigger(ThreeSteps.self, input: index).result() }
                        }
                        return try await group.reduce(0, +)
                    }
                } else {
                    for index in 0..<n { sum += try await engine.trigger(ThreeSteps.self, input: index).result() }
                }
                let seconds = (ContinuousClock.now - start).seconds
                let commitsAfter = fresh.commits?.read()
                try check(sum == 3 * n * (n - 1) / 2 + 6 * n, id, "sum of outputs \(sum), expected \(3 * n * (n - 1) / 2 + 6 * n)")
                var figures: Figures = [
                    "\(id.rawValue)_runs_per_s": Double(n) / seconds,
                    "\(id.rawValue)_steps_per_s": 3 * Double(n) / seconds,
                    "\(id.rawValue)_seconds": seconds,
                ]
                if let commitsBefore, let commitsAfter {
                    let commits = Double(commitsAfter &- commitsBefore)
                    figures["\(id.rawValue)_commits_per_run"] = commits / Double(n)
                    figures["\(id.rawValue)_commits_per_s"] = commits / seconds
                }
                return figures
            }
        }
    }
}
