import Foundation
import Keel
import KeelPostgres
import KeelTesting
import Logging
import PostgresNIO
import Testing

/// A journal is read as one row of arrays aggregated in the order of the server's scan: entries
/// must come back by sequence whatever that order is.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct JournalReadTests {
    @Test func entriesComeBackBySequenceFromAScanInTheTablesOrder() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, configuration in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let run = NewRun(id: RunID("journal-order"), taskName: "t", taskVersion: "v1", queue: "default", input: Data("1".utf8), createdAt: t0, availableAt: t0)
            let lease = try #require(try await store.createRun(run, lease: ("worker", t0.addingTimeInterval(30))).lease)
            func step(_ sequence: Int) -> JournalEntry {
                JournalEntry(
                    runID: run.id, sequence: sequence, position: sequence, kind: .stepCompleted, name: "step-\(sequence)",
                    payload: Data("\(sequence)".utf8), startedAt: t0, recordedAt: t0
                )
            }
            // Rows stored in the order 5, 3, 0, 1, 2, 4
            for sequences in [[5], [3], [0, 1, 2], [4]] {
                try await store.commit(RunTransition(entries: sequences.map(step)), lease: lease, now: t0)
            }
            // Read through a session that may not use an index: a sequential scan gives the rows
            // in the table's order, not the primary key's
            var sequential = configuration
            sequential.options.additionalStartupParameters.append(("options", "-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off"))
            var logger = Logger(label: "keel.test.postgres")
            logger.logLevel = .warning
            try await PostgresTestDatabase.withRunningClient(sequential) { client in
                let scan = try await client.query("EXPLAIN SELECT sequence FROM journal_entry WHERE run_id = 'journal-order' AND sequence >= 0")
                var plan: [String] = []
                for try await line in scan.decode(String.self) { plan.append(line) }
                #expect(plan.first?.hasPrefix("Seq Scan") == true, "\(plan)")
                let unordered = try await client.query("SELECT sequence FROM journal_entry WHERE run_id = 'journal-order'")
                var stored: [Int32] = []
                for try await sequence in unordered.decode(Int32.self) { stored.append(sequence) }
                #expect(stored == [5, 3, 0, 1, 2, 4], "the scan's order is the rows' order")

                let reader = try await PostgresRunStore(client: client, logger: logger)
                #expect(try await reader.journal(run.id) == (0...5).map(step))
                #expect(try await reader.journal(run.id, fromSequence: 2) == (2...5).map(step))
            }
        }
    }
}
