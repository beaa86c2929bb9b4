import Foundation
import Keel

/// W (PostgreSQL): N runs of ``ThreeSteps`` triggered at once (in batches of 250) by this
/// process, which executes none, and executed by 1, then 4, worker processes on the same
/// schema; timed from the first trigger until no run is unfinished. Figures: runs/s for each.
struct WorkerProcessesScenario: Scenario {
    var id: ScenarioID { .W }
    var headline: [(key: String, label: String, unit: String)] {
        [("W1_runs_per_s", "runs/s, 1 worker", ""), ("W4_runs_per_s", "runs/s, 4 workers", "")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        var figures: Figures = [:]
        for workers in [1, 4] {
            figures["W\(workers)_runs_per_s"] = try await measure(workers: workers, context)
        }
        return figures
    }

    private func measure(workers: Int, _ context: ScenarioContext) async throws -> Double {
        try await context.store.withFreshStore { fresh in
            guard let url = fresh.postgresURL else { throw BenchError("scenario W needs --store postgres") }
            let processes = try WorkerProcesses(count: workers, postgresURL: url)
            defer { processes.stop() }
            let client = try EngineHarness.makeEngine(store: fresh.store, marks: MarkBoard())
            // Warm-up: every worker has connected and run something.
            let warmUp = max(context.warmUpRuns, 4 * workers)
            let warmIDs = try await client.batchTrigger(taskName: ThreeSteps.name, inputs: (0..<warmUp).map { Data("\(-1 - $0)".utf8) })
            try await waitUntilFinished(fresh.store, timeoutSeconds: 120)
            let start = ContinuousClock.now
            var ids: [RunID] = []
            for chunk in stride(from: 0, to: context.n, by: 250) {
                ids += try await client.batchTrigger(taskName: ThreeSteps.name, inputs: (chunk..<min(chunk + 250, context.n)).map { Data("\($0)".utf8) })
            }
            try await waitUntilFinished(fresh.store, timeoutSeconds: 900)
            let seconds = (ContinuousClock.now - start).seconds
            let statuses = try await fresh.store.statuses(of: warmIDs + ids)
            let completed = statuses.values.filter { $0 == .completed }.count
            try check(completed == warmIDs.count + ids.count, id, "\(completed) of \(warmIDs.count + ids.count) runs completed")
            return Double(context.n) / seconds
        }
    }

    private func waitUntilFinished(_ store: any RunStore, timeoutSeconds: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while try await store.unfinishedRunCounts().contains(where: { $0.count > 0 }) {
            guard ContinuousClock.now < deadline else { throw BenchError("scenario W: runs still unfinished after \(Int(timeoutSeconds)) s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
