import Foundation
import Keel

/// M: N runs of ``LongSleep`` (a durable one-hour sleep) triggered at once from 32 concurrent
/// callers, until every one of them is suspended (status `waiting` in the store). Timed from the
/// first trigger until the store counts N waiting runs. The peak resident set (`VmHWM`) is the
/// process's own, so ``BenchCommand`` runs M in a child process of its own (one per repeat).
/// Figures: seconds, peak RSS in MiB, RSS before the runs, and KiB per sleeping run
/// ((peak − before) / N).
struct SleepingRunsMemoryScenario: Scenario {
    var id: ScenarioID { .M }
    var headline: [(key: String, label: String, unit: String)] {
        [("M_s", "created in", " s"), ("M_peak_rss_mib", "peak RSS", " MiB"), ("M_kib_per_run", "per run", " KiB")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store) { engine in
                _ = try await engine.trigger(OneStep.self, input: 0).result()  // warm-up: the engine is claiming
                let before = ProcessMemory.residentMiB
                let start = ContinuousClock.now
                let callers = 32
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for caller in 0..<callers {
                        group.addTask {
                            for index in stride(from: caller, to: n, by: callers) { _ = try await engine.trigger(LongSleep.self, input: index) }
                        }
                    }
                    try await group.waitForAll()
                }
                let triggered = (ContinuousClock.now - start).seconds
                var waiting = 0
                while true {
                    let counts = try await engine.unfinishedRunCounts()
                    waiting = counts.filter { $0.status == .waiting }.reduce(0) { $0 + $1.count }
                    let failed = try await engine.listRuns(RunQuery(statuses: [.failed], limit: 1))
                    try check(failed.isEmpty, id, "run \(failed.first?.id.rawValue ?? "") failed while going to sleep")
                    if waiting >= n { break }
                    try check((ContinuousClock.now - start).seconds < 600, id, "after 600 s only \(waiting) of \(n) runs are sleeping")
                    try await Task.sleep(for: .milliseconds(250))
                }
                let seconds = (ContinuousClock.now - start).seconds
                let peak = ProcessMemory.peakResidentMiB
                try check(waiting == n, id, "\(waiting) runs sleeping, expected \(n)")
                return [
                    "M_s": seconds, "M_trigger_s": triggered, "M_runs_per_s": Double(n) / seconds, "M_peak_rss_mib": peak,
                    "M_rss_before_mib": before, "M_kib_per_run": (peak - before) * 1024 / Double(n), "M_runs": Double(n),
                ]
            }
        }
    }
}
