import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// The grouped statement writes many runs' commits at once: each must be fenced by its own
/// lease, and a finishing child must count down its parent's waitpoint, or leave the last
/// children of a waitpoint to the general path with nothing written.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct GroupedCommitTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let worker = "worker-grouped"

    static func newRun(_ name: String, parentID: RunID? = nil, waitpoint: String? = nil, index: Int? = nil) -> NewRun {
        NewRun(
            id: RunID(name), taskName: "grouped", taskVersion: "v1", queue: "default", input: Data("1".utf8), createdAt: t0, availableAt: t0,
            parentID: parentID, parentWaitpointID: waitpoint, batchIndex: index
        )
    }

    /// Creates `name` leased to ``worker`` and returns its lease.
    static func leased(_ name: String, in store: PostgresRunStore) async throws -> Lease {
        try #require(try await store.createRun(newRun(name), lease: (worker, t0.addingTimeInterval(30))).lease)
    }

    static func step(_ lease: Lease, _ sequence: Int) -> GroupedCommit {
        let entry = JournalEntry(
            runID: lease.runID, sequence: sequence, position: sequence, kind: .stepCompleted, name: "step-\(sequence)",
            payload: Data("\(sequence)".utf8), startedAt: t0, recordedAt: t0
        )
        return GroupedCommit(lease: lease, entry: entry, finish: nil, now: t0.millisecondsSince1970)
    }

    static func finish(_ lease: Lease, output: String) -> GroupedCommit {
        GroupedCommit(lease: lease, entry: nil, finish: .init(status: .completed, output: Data(output.utf8), error: nil), now: t0.millisecondsSince1970)
    }

    @Test func eachCommitOfABatchIsFencedByItsOwnLease() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let first = try await Self.leased("run-a", in: store)
            let second = try await Self.leased("run-b", in: store)
            var stale = try await Self.leased("run-c", in: store)
            stale.token += 1
            let finishing = try await Self.leased("run-d", in: store)

            let outcomes = try await store.sendGroupedCommits([
                Self.step(first, 0), Self.step(stale, 0), Self.step(second, 0), Self.finish(finishing, output: "42"),
            ])

            #expect(outcomes.map(String.init(describing:)) == ["committed", "leaseNotHeld", "committed", "committed"])
            #expect(try await store.journal(first.runID).map(\.name) == ["step-0"])
            #expect(try await store.journal(second.runID).map(\.payload) == [Data("0".utf8)])
            #expect(try await store.journal(stale.runID).isEmpty)
            let finished = try #require(try await store.run(finishing.runID))
            #expect(finished.status == .completed)
            #expect(finished.output == Data("42".utf8))
            #expect(finished.leaseOwner == nil)
            #expect(try await store.run(first.runID)?.status == .running)
        }
    }

    @Test func childrenFinishingTogetherCountDownTheirWaitpointUnlessTheyAreItsLast() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let parent = try await Self.leased("parent", in: store)
            let waitpoint = Waitpoint(id: "wp-children", runID: parent.runID, kind: .children, pendingChildren: 4, createdAt: Self.t0)
            let children = (0..<4).map { (index: Int) in Self.newRun("child-\(index)", parentID: parent.runID, waitpoint: waitpoint.id, index: index) }
            try await store.commit(
                RunTransition(change: .suspended(status: .waiting, wakeAt: Self.t0.addingTimeInterval(3600)), newRuns: children, newWaitpoints: [waitpoint]),
                lease: parent, now: Self.t0
            )
            let claimed = try await store.claimDueRuns(
                ClaimRequest(
                    queues: [QueueDefinition("default")], workerID: Self.worker, taskNames: ["grouped"], limit: 10, now: Self.t0,
                    leaseExpiresAt: Self.t0.addingTimeInterval(30)
                )
            )
            let leases = Dictionary(uniqueKeysWithValues: claimed.map { ($0.record.id.rawValue, $0.lease) })
            let lease = { (name: String) in try #require(leases[name]) }

            // Two of four: both counted down in the one statement.
            let firstTwo = try await store.sendGroupedCommits([Self.finish(try lease("child-0"), output: "0"), Self.finish(try lease("child-1"), output: "1")])
            #expect(firstTwo.map(String.init(describing:)) == ["committed", "committed"])
            #expect(try await store.waitpoint("wp-children")?.pendingChildren == 2)

            // The last two together: neither is written, and a step of another run in the batch is.
            let other = try await Self.leased("other", in: store)
            let lastTwo = try await store.sendGroupedCommits([
                Self.finish(try lease("child-2"), output: "2"), Self.step(other, 0), Self.finish(try lease("child-3"), output: "3"),
            ])
            #expect(lastTwo.map(String.init(describing:)) == ["needsGeneralPath", "committed", "needsGeneralPath"])
            #expect(try await store.waitpoint("wp-children")?.pendingChildren == 2)
            #expect(try await store.run(RunID("child-2"))?.status == .running)
            #expect(try await store.journal(other.runID).count == 1)

            // Through the store's commit, they take the general path, which completes the waitpoint.
            for name in ["child-2", "child-3"] {
                try await store.commit(RunTransition(change: .completed(output: Data("9".utf8))), lease: try lease(name), now: Self.t0)
            }
            #expect(try await store.waitpoint("wp-children")?.status == .completed)
            #expect(try await store.run(RunID("child-3"))?.status == .completed)
        }
    }

    @Test func concurrentTriggersAndStepsOfManyRunsAllLand() async throws {
        try await PostgresTestDatabase.withFreshSchema(maximumConnections: 4) { store, _ in
            // More callers than connections, so commits wait on flights and are grouped.
            let leases = try await withThrowingTaskGroup(of: Lease.self) { group in
                for index in 0..<200 { group.addTask { try await Self.leased("run-\(index)", in: store) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(leases.count == 200)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lease in leases {
                    group.addTask {
                        for sequence in 0..<3 {
                            try await store.commit(RunTransition(entries: [Self.step(lease, sequence).entry!]), lease: lease, now: Self.t0)
                        }
                        try await store.commit(RunTransition(change: .completed(output: Data("\"\(lease.runID)\"".utf8))), lease: lease, now: Self.t0)
                    }
                }
                try await group.waitForAll()
            }
            let sent = store.commitGroup.sent
            #expect(sent.items == 800)
            #expect(sent.batches < sent.items, "commits waiting on a flight go together")
            #expect(store.triggerGroup.sent.items == 200)
            for lease in leases {
                #expect(try await store.journal(lease.runID).map(\.sequence) == [0, 1, 2])
                #expect(try await store.run(lease.runID)?.output == Data("\"\(lease.runID)\"".utf8))
            }
        }
    }

    /// With the table's statistics taken while it was empty and thousands of runs queued since
    /// (a burst of triggers), commits still find each run by its primary key: a plan that reads
    /// the unfinished runs (through the status index) or the worker's leased runs for every
    /// commit made the server's work grow with the queue.
    @Test func commitsFindTheirRunsByPrimaryKeyWhateverTheStatistics() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            _ = try await store.query("statistics of the empty table", "ANALYZE run")
            for index in 0..<1_500 {
                _ = try await store.createRun(Self.newRun(String(format: "queued-%05d", index)), lease: nil)
            }
            var leases: [Lease] = []
            for index in 0..<30 { leases.append(try await Self.leased(String(format: "leased-%03d", index), in: store)) }

            let grouped = try PostgresRunStore.groupedCommitStatement(leases.map { Self.step($0, 0) })
            let alone = try OneStatementCommit(lease: leases[0], entry: Self.step(leases[0], 0).entry).prepared
            for (what, statement) in [("grouped", grouped), ("alone", alone)] {
                let rows = try await store.query("plan", PreparedSQL(sql: "EXPLAIN " + statement.sql, parameters: statement.parameters))
                let plan = try rows.map { try $0.decode(String.self) }.joined(separator: "\n")
                #expect(plan.contains("run_pkey"), "\(what): \(plan)")
                for scan in ["Seq Scan on run", "Bitmap Heap Scan on run", "run_status", "run_lease_owner"] {
                    #expect(!plan.contains(scan), "\(what) reads runs with \(scan): \(plan)")
                }
            }
        }
    }
}
