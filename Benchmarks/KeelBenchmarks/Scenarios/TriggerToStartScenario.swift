import Foundation
import Keel

/// T: trigger-to-start latency on an idle worker. N runs of ``StartProbe``, one at a time, each
/// after the previous one finished and a 2 ms pause; timed from the call to `trigger` until the
/// run's body starts.
///
/// - `T_local_*`: triggered on the running worker engine itself (local hand-off: persisted, then
///   started in memory).
/// - `T_*` (PostgreSQL only): triggered through a second engine on the same database that is not
///   running (a client, as another process would be); the worker learns of the run from
///   PostgreSQL's `NOTIFY` and claims it. On SQLite there is no cross-process signal (the worker
///   polls every `pollInterval`), so only the local figures are measured.
struct TriggerToStartScenario: Scenario {
    var id: ScenarioID { .T }
    var headline: [(key: String, label: String, unit: String)] {
        [("T_p50_ms", "via store p50", " ms"), ("T_p99_ms", "p99", " ms"), ("T_local_p50_ms", "local p50", " ms"), ("T_local_p99_ms", "p99", " ms")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        let marks = MarkBoard()
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store, marks: marks) { worker in
                let client = try EngineHarness.makeEngine(store: fresh.store, marks: marks)
                var key = 0
                func sample(through engine: KeelEngine) async throws -> Double {
                    key += 1
                    try await Task.sleep(for: .milliseconds(2))
                    let start = ContinuousClock.now
                    let run = try await engine.trigger(StartProbe.self, input: key)
                    let started = await marks.start(of: key)
                    let output = try await run.result()
                    try check(output == key, id, "run \(run.id.rawValue) returned \(output), expected \(key)")
                    return (started - start).milliseconds
                }
                for _ in 0..<context.warmUpRuns { _ = try await sample(through: worker) }
                var local: [Double] = []
                for _ in 0..<n { local.append(try await sample(through: worker)) }
                let localStats = Statistics(local)
                var figures: Figures = [
                    "T_local_p50_ms": localStats.median, "T_local_p99_ms": localStats.percentile(99), "T_local_max_ms": localStats.max,
                ]
                if case .postgres = context.store {
                    for _ in 0..<context.warmUpRuns { _ = try await sample(through: client) }
                    var remote: [Double] = []
                    for _ in 0..<n { remote.append(try await sample(through: client)) }
                    let stats = Statistics(remote)
                    figures["T_p50_ms"] = stats.median
                    figures["T_p99_ms"] = stats.percentile(99)
                    figures["T_max_ms"] = stats.max
                }
                return figures
            }
        }
    }
}
