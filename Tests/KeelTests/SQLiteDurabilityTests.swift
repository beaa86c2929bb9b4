import Foundation
import Keel
import KeelSQLite
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SQLiteDurabilityTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keel-durability-\(UUID().uuidString)/keel.sqlite").path
    }

    /// GRDB turns the writer to synchronous=NORMAL when it enables WAL: the store must set its
    /// durability after that, or FULL is silently NORMAL.
    @Test
    func theWriterCommitsWithFullSynchronousByDefault() async throws {
        let store = try SQLiteRunStore(path: Self.path())
        #expect(try await store.writerSynchronousMode() == 2)
    }

    @Test
    func normalDurabilityIsNormal() async throws {
        let store = try SQLiteRunStore(path: Self.path(), configuration: .init(durability: .normal))
        #expect(try await store.writerSynchronousMode() == 1)
    }
}

@Suite(.timeLimit(.minutes(1)))
struct SQLiteClaimJournalTests {
    /// A first claim comes with the (empty) journal, saving the engine a read; a later claim of a
    /// run that journaled under an earlier lease must not, or its steps would run again.
    @Test
    func onlyAFirstClaimComesWithAnEmptyJournal() async throws {
        let store = try SQLiteStoreFixture.temporary()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let run = NewRun(id: RunID("run-1"), taskName: "t", taskVersion: "1", queue: "default", input: Data("1".utf8), createdAt: now, availableAt: now)
        _ = try await store.createRun(run, lease: nil)
        func claim(_ worker: String, at time: Date) async throws -> ClaimedRun? {
            try await store.claimDueRuns(
                ClaimRequest(queues: [QueueDefinition("default")], workerID: worker, taskNames: ["t"], limit: 1, now: time, leaseExpiresAt: time.addingTimeInterval(30))
            ).first
        }
        let first = try #require(try await claim("w1", at: now))
        #expect(first.journal?.isEmpty == true)
        let entry = JournalEntry(runID: run.id, sequence: 0, position: 0, kind: .stepCompleted, name: "s", payload: Data("2".utf8), recordedAt: now)
        try await store.commit(RunTransition(entries: [entry]), lease: first.lease, now: now)
        try await store.releaseLeases(workerID: "w1", now: now)
        let second = try #require(try await claim("w2", at: now.addingTimeInterval(1)))
        #expect(second.lease.token > first.lease.token)
        #expect(second.journal == nil, "the engine must read the journal written under the first lease")
    }
}
