import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// A claim writes fewer index entries (migration v7): there is no index by lease owner nor of
/// started runs, and what read them reads the index of leased runs and `queue_start` instead.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct LeaseIndexTests {
    @Test func aWorkerReleasingItsLeasesReadsTheLeasedRunsNotTheTable() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // Given many finished runs and a few leased to two workers
            _ = try await store.query(
                "finished runs",
                """
                INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, updated_at, started_at, finished_at)
                SELECT 'finished-' || lpad(n::text, 6, '0'), 't', 'v1', 'default', 'completed', '\\x31'::bytea, n, n, n, n
                FROM generate_series(1, 5000) AS n
                """
            )
            let runs = try await QueuedRunsFixture(store: store, queues: [])
            try await runs.createLeasedRuns(owners: ["worker-a", "worker-b", "worker-a", "worker-b", "worker-a", "worker-b"])
            let now = runs.start
            _ = try await store.query("statistics", "ANALYZE run")
            // Then the indexes a claim no longer writes are gone
            let gone = try await store.query("dropped indexes", "SELECT to_regclass('run_lease_owner') IS NULL AND to_regclass('run_started_by_queue') IS NULL")
            #expect(try gone.first?.decode(Bool.self) == true)
            // And the release of one worker's leases reads the index of leased runs
            let release = PostgresRunStore.leaseReleaseStatement(workerID: "worker-a", now: now.millisecondsSince1970)
            let plan = try await store.query("plan", PostgresQuery(unsafeSQL: "EXPLAIN " + release.sql, binds: release.binds))
                .map { try $0.decode(String.self) }.joined(separator: "\n")
            #expect(plan.contains("run_leased_by_queue") && !plan.contains("Seq Scan"), "\(plan)")
            // And it requeues that worker's runs only
            try await store.releaseLeases(workerID: "worker-a", now: now.addingTimeInterval(1))
            let owners = try await store.query("owners", "SELECT lease_owner FROM run WHERE id NOT LIKE 'finished-%' ORDER BY lease_owner NULLS FIRST")
                .map { try $0.decode(String?.self) }
            #expect(owners == [nil, nil, nil, "worker-b", "worker-b", "worker-b"])
        }
    }

    @Test func aRateLimitedQueueRecordsItsStartsAndForgetsThoseOlderThanItsPeriod() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // Given a rate-limited queue and an unlimited one, with due runs
            let runs = try await QueuedRunsFixture(store: store, queues: ["rated", "rated", "rated", "free", "free"])
            func recordedStarts() async throws -> [String] {
                try await store.query("starts", "SELECT queue FROM queue_start ORDER BY queue").map { try $0.decode(String.self) }
            }
            let rated = QueueDefinition("rated", rateLimit: .init(limit: 2, period: .seconds(60)))
            // When both are claimed
            #expect(try await runs.claim(rated, at: 1).count == 2)
            #expect(try await runs.claim(QueueDefinition("free"), at: 1).count == 2)
            // Then only the rate-limited queue's starts are recorded
            #expect(try await recordedStarts() == ["rated", "rated"])
            // And once the period has passed they are deleted as the next start is recorded
            #expect(try await runs.claim(rated, at: 62).count == 1)
            #expect(try await recordedStarts() == ["rated"])
        }
    }
}
