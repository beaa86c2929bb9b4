import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import Logging
import PostgresNIO
import Testing

/// A claim reads as many runs as it takes, however many are due and whatever the table's
/// statistics say: the claim-order index in order, then each run by its key.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct ClaimPlanTests {
    @Test func aClaimOfAFewRunsReadsAFewRowsFromAQueueThatFilledAfterTheClaimWasPlanned() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, configuration in
            let now: Int64 = 1_800_000_000_000
            func request(limit: Int) -> ClaimRequest {
                ClaimRequest(
                    queues: [QueueDefinition("default")], workerID: "w", taskNames: ["t"], limit: limit,
                    now: Date(millisecondsSince1970: now), leaseExpiresAt: Date(millisecondsSince1970: now + 30_000)
                )
            }
            let logger = {
                var logger = Logger(label: "keel.test.postgres")
                logger.logLevel = .warning
                return logger
            }()
            try await PostgresTestDatabase.withRunningClient(configuration) { client in
                try await client.withConnection { connection in
                    // (A server whose planner weighs random reads heavily: without the claim's own
                    // settings, it would rather read every due run and sort them.)
                    try await connection.rows("SET random_page_cost = 1000", logger: logger)
                    // Given a connection that claimed from an empty queue often enough for the
                    // server to plan the claim once for all its calls (after five)
                    for _ in 0..<8 {
                        let claimed = try await connection.rows(
                            PostgresRunStore.claimStatement(queue: "default", request: request(limit: 4), unlessExpiring: true), logger: logger
                        )
                        #expect(claimed.isEmpty)
                    }
                    // And then 3,000 due runs, in a table not analysed since it was empty
                    _ = try await store.query(
                        "fill",
                        """
                        INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, updated_at, available_at)
                        SELECT 'due-' || lpad(n::text, 5, '0'), 't', 'v1', 'default', 'queued', '\\x31'::bytea, \(now) - n, \(now) - n, \(now) - n
                        FROM generate_series(1, 3000) AS n
                        """
                    )
                    // When it claims four of them at a time, ten times
                    for claim in 0..<10 {
                        // The transaction's reads of the table, before and after the claim
                        func reads() async throws -> (sequential: Int64, fetched: Int64) {
                            let rows = try await connection.rows(
                                "SELECT seq_tup_read, idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relid = 'run'::regclass", logger: logger
                            )
                            let (sequential, fetched) = try #require(rows.first).decode((Int64, Int64).self)
                            return (sequential, fetched)
                        }
                        try await connection.rows("BEGIN", logger: logger)
                        let before = try await reads()
                        let claimed = try await connection.rows(
                            PostgresRunStore.claimStatement(queue: "default", request: request(limit: 4), unlessExpiring: true), logger: logger
                        )
                        let after = try await reads()
                        try await connection.rows("COMMIT", logger: logger)
                        let (sequential, fetched) = (after.sequential - before.sequential, after.fetched - before.fetched)
                        // Then each claim took the four oldest
                        let ids = try claimed.map { try $0.decode(String.self) }.sorted()
                        #expect(ids == (1...4).map { "due-" + String(format: "%05d", 3000 - claim * 4 - 4 + $0) }, "claim \(claim)")
                        #expect(sequential == 0, "claim \(claim) scanned the table")
                        #expect(fetched <= 12, "claim \(claim) fetched \(fetched) rows")
                    }
                }
            }
        }
    }
}
