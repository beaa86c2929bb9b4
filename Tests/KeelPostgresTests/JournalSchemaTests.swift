import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// A journal write is an insert and nothing more on the server, and deleting a run still
/// deletes its journal.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct JournalSchemaTests {
    @Test func writingAJournalEntryFiresNoTrigger() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // A foreign key is checked by internal triggers, one query and one row lock per entry
            let rows = try await store.query(
                "triggers",
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'journal_entry'::regclass"
            )
            #expect(try rows.map { try $0.decode(String.self) } == [])
        }
    }

    @Test func deletingARunDeletesItsJournal() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            func run(_ id: String) -> NewRun {
                NewRun(id: RunID(id), taskName: "t", taskVersion: "v1", queue: "default", input: Data("1".utf8), createdAt: t0, availableAt: t0)
            }
            for id in ["deleted", "kept"] {
                let lease = try #require(try await store.createRun(run(id), lease: ("worker", t0.addingTimeInterval(30))).lease)
                let entries = (0..<3).map {
                    JournalEntry(runID: RunID(id), sequence: $0, position: $0, kind: .stepCompleted, name: "step", payload: Data("1".utf8), startedAt: t0, recordedAt: t0)
                }
                try await store.commit(RunTransition(entries: entries), lease: lease, now: t0)
            }
            _ = try await store.query("deletion", "DELETE FROM run WHERE id = 'deleted'")
            #expect(try await store.journal(RunID("deleted")).isEmpty)
            #expect(try await store.journal(RunID("kept")).count == 3)
            let orphans = try await store.query("orphans", "SELECT COUNT(*) FROM journal_entry WHERE run_id = 'deleted'")
            #expect(try orphans.first?.decode(Int64.self) == 0)
        }
    }
}
