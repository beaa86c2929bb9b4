import Foundation
import GRDB
import Keel
import KeelTesting
@testable import KeelSQLite
import Testing

/// A run's start and finish write fewer index pages (migration v4): there is no index by lease
/// owner nor of started runs, and what read them reads the index of leased runs and
/// `queue_start` instead.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteLeaseIndexTests {
    @Test func aWorkerReleasingItsLeasesReadsTheLeasedRunsNotTheTable() async throws {
        let store = try SQLiteStoreFixture.temporary()
        // Given many finished runs and a few leased to two workers
        try await store.pool.write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                    INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, updated_at, started_at, finished_at)
                    SELECT printf('finished-%06d', i), 't', 'v1', 'default', 'completed', x'31', i, i, i, i FROM n
                    """
            )
        }
        let runs = try await QueuedRunsFixture(store: store, queues: [])
        try await runs.createLeasedRuns(owners: ["worker-a", "worker-b", "worker-a", "worker-b", "worker-a", "worker-b"])
        let now = runs.start
        try await store.pool.write { db in try db.execute(sql: "ANALYZE") }
        // Then the indexes a start and a finish no longer write are gone
        let left = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name IN ('run_lease_owner', 'run_started_by_queue')")
        }
        #expect(left.isEmpty)
        // And the release of one worker's leases reads the index of leased runs
        let plan = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteRunStore.leaseReleaseSQL, arguments: [0, 0, "worker-a"])
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("run_leased_by_queue"), "\(plan)")
        // And it requeues that worker's runs only
        try await store.releaseLeases(workerID: "worker-a", now: now.addingTimeInterval(1))
        let owners = try await store.pool.read { db in
            try String?.fetchAll(db, sql: "SELECT lease_owner FROM run WHERE id NOT LIKE 'finished-%' ORDER BY lease_owner NULLS FIRST")
        }
        #expect(owners == [nil, nil, nil, "worker-b", "worker-b", "worker-b"])
    }

    @Test func aRateLimitedQueueRecordsItsStartsAndForgetsThoseOlderThanItsPeriod() async throws {
        let store = try SQLiteStoreFixture.temporary()
        // Given a rate-limited queue and an unlimited one, with due runs
        let runs = try await QueuedRunsFixture(store: store, queues: ["rated", "rated", "rated", "free", "free"])
        func recordedStarts() async throws -> [String] {
            try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT queue FROM queue_start ORDER BY queue") }
        }
        let rated = QueueDefinition("rated", rateLimit: .init(limit: 2, period: .seconds(60)))
        // When both are claimed
        #expect(try await runs.claim(rated, at: 1).count == 2)
        #expect(try await runs.claim(QueueDefinition("free"), at: 1).count == 2)
        // Then only the rate-limited queue's starts are recorded, and its limit holds
        #expect(try await recordedStarts() == ["rated", "rated"])
        #expect(try await runs.claim(rated, at: 2).isEmpty)
        // And once the period has passed they are deleted as the next start is recorded
        #expect(try await runs.claim(rated, at: 62).count == 1)
        #expect(try await recordedStarts() == ["rated"])
    }
}
