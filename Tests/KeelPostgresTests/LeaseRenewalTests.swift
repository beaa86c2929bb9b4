import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// A heartbeat's lease renewal takes its runs' row locks in the order every other writer of many
/// runs takes them (by id), so it never deadlocks with a grouped commit of the same runs.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct LeaseRenewalTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let worker = "worker-renewing"

    @Test func renewalsAndGroupedCommitsOfTheSameRunsNeverDeadlock() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // Given 200 runs leased to one worker, stored out of id order: every other run was
            // updated since, so a scan of the table meets the odd ones first
            var created: [Lease] = []
            for index in 0..<200 {
                let run = NewRun(
                    id: RunID(String(format: "run-%03d", index)), taskName: "renewed", taskVersion: "v1", queue: "default", input: Data("1".utf8),
                    createdAt: Self.t0, availableAt: Self.t0
                )
                created.append(try #require(try await store.createRun(run, lease: (Self.worker, Self.t0.addingTimeInterval(30))).lease))
            }
            let leases = created
            let ids = leases.map(\.runID)
            let evens = stride(from: 0, to: ids.count, by: 2).map { ids[$0] }
            _ = try await store.renewLeases(workerID: Self.worker, runIDs: evens, expiresAt: Self.t0.addingTimeInterval(40))
            _ = try await store.query("statistics", "ANALYZE run")

            // When heartbeats renew every lease while grouped commits write a step to every run
            let rounds = 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for round in 0..<rounds {
                        let renewed = try await store.renewLeases(
                            workerID: Self.worker, runIDs: ids.reversed(), expiresAt: Self.t0.addingTimeInterval(Double(60 + round))
                        )
                        #expect(renewed.count == ids.count)
                    }
                }
                group.addTask {
                    for round in 0..<rounds {
                        let commits = leases.map { lease in
                            GroupedCommit(
                                lease: lease,
                                entry: JournalEntry(
                                    runID: lease.runID, sequence: round, position: round, kind: .stepCompleted, name: "step",
                                    payload: Data("\(round)".utf8), startedAt: Self.t0, recordedAt: Self.t0
                                ),
                                finish: nil, now: Self.t0.millisecondsSince1970
                            )
                        }
                        let outcomes = try await store.sendGroupedCommits(commits)
                        #expect(outcomes.allSatisfy { "\($0)" == "committed" })
                    }
                }
                // Then neither ever fails (PostgreSQL ends a deadlock by failing one of its transactions)
                try await group.waitForAll()
            }
            #expect(try await store.journal(ids[0]).count == rounds)
        }
    }
}
