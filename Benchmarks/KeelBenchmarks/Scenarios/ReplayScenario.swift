import Foundation
import Keel

/// R: one run of ``ReplayProbe`` makes N steps, then sleeps 0.3 s on an engine whose
/// `inMemoryWaitThreshold` is 50 ms, so the sleep suspends the run durably (out of memory).
/// When it wakes, the engine claims it, reads its journal (N step entries and the sleep) and
/// calls the body again from the top: the N steps return their recorded results.
///
/// Timed: `R_replay_ms`, from the replaying body's first line until its N-th replayed step has
/// returned (decoding each recorded result; no I/O); `R_journal_load_ms`, one read of the whole
/// journal from the store through `engine.journal(_:)` (the read the engine makes on resume;
/// median of 5); `R_rebuild_ms`, their sum; `R_wake_to_body_ms`, from the sleep's recorded wake
/// time to the replaying body's first line (timer, claim, journal read).
struct ReplayScenario: Scenario {
    var id: ScenarioID { .R }
    var headline: [(key: String, label: String, unit: String)] {
        [("R_rebuild_ms", "rebuild", " ms"), ("R_replay_ms", "replay", " ms"), ("R_journal_load_ms", "journal read", " ms")]
    }

    func measure(_ context: ScenarioContext) async throws -> Figures {
        let n = context.n
        let marks = MarkBoard()
        let configuration = KeelEngine.Configuration(concurrency: 32, inMemoryWaitThreshold: .milliseconds(50))
        return try await context.store.withFreshStore { fresh in
            try await EngineHarness.withRunningEngine(store: fresh.store, configuration: configuration, marks: marks) { engine in
                if context.warmUpRuns > 0 { _ = try await engine.trigger(ReplayProbe.self, input: 10).result() }
                let warmUps = marks.replays.count
                let run = try await engine.trigger(ReplayProbe.self, input: n)
                let sum = try await run.result()
                try check(sum == n * (n - 1) / 2, id, "\(n) steps summed to \(sum), expected \(n * (n - 1) / 2)")
                let replays = marks.replays.dropFirst(warmUps)
                try check(replays.count == 1, id, "the run was replayed \(replays.count) times, expected once (it should suspend in its sleep)")
                var loads: [Double] = []
                var journal: [JournalEntry] = []
                for _ in 0..<5 {
                    let start = ContinuousClock.now
                    journal = try await engine.journal(run.id)
                    loads.append((ContinuousClock.now - start).milliseconds)
                }
                let steps = journal.filter { $0.kind == .stepCompleted }.count
                try check(steps == n, id, "the journal has \(steps) completed steps, expected \(n)")
                let replay = replays.first!
                let wakeAt = journal.last(where: { $0.kind == .sleep })?.wakeAt
                let load = Statistics(loads).median
                var figures: Figures = [
                    "R_replay_ms": replay.replayed.milliseconds, "R_journal_load_ms": load,
                    "R_rebuild_ms": replay.replayed.milliseconds + load, "R_journal_entries": Double(journal.count),
                ]
                if let wakeAt { figures["R_wake_to_body_ms"] = replay.entered.timeIntervalSince(wakeAt) * 1000 }
                return figures
            }
        }
    }
}
