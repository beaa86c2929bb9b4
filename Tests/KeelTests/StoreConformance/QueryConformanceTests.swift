import Foundation
import Keel
import KeelTesting
import Testing

/// Pins the read side the engine and the dashboard use: ``RunStore/nextDueTime(queues:workerID:)``,
/// ``RunStore/unfinishedRunCounts()`` and the filters, order and paging of ``RunStore/listRuns(_:)``.
@Suite(.timeLimit(.minutes(2)))
struct QueryConformanceTests {
    @Test(arguments: TestStore.allCases)
    func nextDueTimeIsTheEarliestDueRunTheWorkerDoesNotHold(store kind: TestStore) async throws {
        try await kind.withStore { store in
            #expect(try await store.nextDueTime(queues: [Fixture.queue], workerID: "worker-a") == nil, "an empty store has nothing due")
            // Given A holds a run until t+30, and runs are due at t+40 and t+50, and at t+35 on queue "email"
            _ = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            _ = try await Fixture.create(Fixture.newRun(created: 1, available: 50), in: store)
            _ = try await Fixture.create(Fixture.newRun(created: 2, available: 40), in: store)
            _ = try await Fixture.create(Fixture.newRun(created: 3, available: 35, queue: "email"), in: store)
            // Then A's next due time ignores its own lease; B's is the lease's lapse
            #expect(try await store.nextDueTime(queues: [Fixture.queue], workerID: "worker-a") == Fixture.at(40))
            #expect(try await store.nextDueTime(queues: [Fixture.queue], workerID: "worker-b") == Fixture.at(30))
            #expect(try await store.nextDueTime(queues: [Fixture.queue, "email"], workerID: "worker-a") == Fixture.at(35))
            #expect(try await store.nextDueTime(queues: ["nothing-here"], workerID: "worker-a") == nil)
        }
    }

    @Test(arguments: TestStore.allCases)
    func nextDueTimeSkipsFinishedAndUntimedWaits(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let done = try await Fixture.createAndClaim(store, now: 0)
            try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: done.lease, now: Fixture.at(1))
            let waiter = try await Fixture.createAndClaim(store, now: 2)
            let event = Waitpoint(id: "e", runID: waiter.record.id, kind: .event, eventName: "go", createdAt: Fixture.at(2))
            _ = try await store.awaitWaitpoint(event, lease: waiter.lease, now: Fixture.at(2))
            #expect(try await store.nextDueTime(queues: [Fixture.queue], workerID: "worker-b") == nil)
            _ = try await store.sendEvent("go", payload: Fixture.json("1"), now: Fixture.at(9))
            #expect(try await store.nextDueTime(queues: [Fixture.queue], workerID: "worker-b") == Fixture.at(9))
        }
    }

    /// The ids of five runs on the default queue, claimed at 0 to 4 and left in these statuses.
    struct RunsInEachStatus {
        let running, waiting, parked, completed, failed: RunID
    }

    static func claimedRunsInEachStatus(in store: any RunStore) async throws -> RunsInEachStatus {
        let running = try await Fixture.createAndClaim(store, now: 0)
        let waiting = try await Fixture.createAndClaim(store, now: 1)
        try await store.commit(RunTransition(change: .suspended(status: .waiting, wakeAt: Fixture.at(500))), lease: waiting.lease, now: Fixture.at(1))
        let parked = try await Fixture.createAndClaim(store, now: 2)
        try await store.commit(RunTransition(change: .parked(Fixture.boom)), lease: parked.lease, now: Fixture.at(2))
        let completed = try await Fixture.createAndClaim(store, now: 3)
        try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: completed.lease, now: Fixture.at(3))
        let failed = try await Fixture.createAndClaim(store, now: 4)
        try await store.commit(RunTransition(change: .failed(Fixture.boom)), lease: failed.lease, now: Fixture.at(4))
        return RunsInEachStatus(
            running: running.record.id, waiting: waiting.record.id, parked: parked.record.id, completed: completed.record.id, failed: failed.record.id
        )
    }

    @Test(arguments: TestStore.allCases)
    func statusesOfManyRunsAreReadTogether(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run queued, running, waiting, parked, completed and failed, and an unknown id
            let queued = try await Fixture.create(Fixture.newRun(created: 10, available: 100), in: store)
            let runs = try await Self.claimedRunsInEachStatus(in: store)
            let ids = [queued.id, runs.running, runs.waiting, runs.parked, runs.completed, runs.failed, RunID("unknown")]

            // Then every existing run's status is read, and the unknown id is left out
            #expect(
                try await store.statuses(of: ids) == [
                    queued.id: .queued, runs.running: .running, runs.waiting: .waiting, runs.parked: .parked,
                    runs.completed: .completed, runs.failed: .failed,
                ]
            )
        }
    }

    @Test(arguments: TestStore.allCases)
    func unfinishedRunCountsCountEachQueueAndStatus(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given on "default": 2 queued, 1 running, 1 waiting, 1 parked, 1 completed, 1 failed; on "email": 1 queued
            _ = try await Self.claimedRunsInEachStatus(in: store)
            try await Fixture.create(Fixture.newRun(created: 4, available: 100), in: store)
            try await Fixture.create(Fixture.newRun(created: 5, available: 100), in: store)
            try await Fixture.create(Fixture.newRun(created: 6, queue: "email"), in: store)
            // Then the counts say so, without finished runs
            let counts = try await store.unfinishedRunCounts()
            #expect(
                Set(counts) == [
                    RunCount(queue: Fixture.queue, status: .queued, count: 2),
                    RunCount(queue: Fixture.queue, status: .running, count: 1),
                    RunCount(queue: Fixture.queue, status: .waiting, count: 1),
                    RunCount(queue: Fixture.queue, status: .parked, count: 1),
                    RunCount(queue: "email", status: .queued, count: 1),
                ]
            )
            #expect(counts.count == 5)
        }
    }

    @Test(arguments: TestStore.allCases)
    func listRunsFiltersNewestFirstAndPagesWithBefore(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given runs created a second apart: three of the task (tagged differently), one of another task, one child
            let r0 = try await Fixture.create(Fixture.newRun(created: 0, tags: ["blue"]), in: store)
            let r1 = try await Fixture.create(Fixture.newRun(created: 1, idempotencyKey: "k-1", tags: ["blue", "red"]), in: store)
            let r2 = try await Fixture.create(Fixture.newRun(created: 2, task: Fixture.otherTask, tags: ["red"]), in: store)
            let r3 = try await Fixture.create(Fixture.newRun(created: 3, parentID: r0.id), in: store)
            let claimed = try #require(try await Fixture.claim(store, now: 3, limit: 1, tasks: [Fixture.task]).first)
            #expect(claimed.record.id == r0.id)
            let r4 = try await Fixture.create(Fixture.newRun(created: 4), in: store)
            func ids(_ query: RunQuery) async throws -> [RunID] { try await store.listRuns(query).map(\.id) }
            // Then every filter selects its runs, newest first
            #expect(try await ids(RunQuery()) == [r4.id, r3.id, r2.id, r1.id, r0.id])
            #expect(try await ids(RunQuery(taskName: Fixture.otherTask)) == [r2.id])
            #expect(try await ids(RunQuery(taskName: Fixture.task)) == [r4.id, r3.id, r1.id, r0.id])
            #expect(try await ids(RunQuery(statuses: [.running])) == [r0.id])
            #expect(try await ids(RunQuery(statuses: [.running, .queued])) == [r4.id, r3.id, r2.id, r1.id, r0.id])
            #expect(try await ids(RunQuery(statuses: [.completed])).isEmpty)
            #expect(try await ids(RunQuery(tag: "blue")) == [r1.id, r0.id])
            #expect(try await ids(RunQuery(tag: "red")) == [r2.id, r1.id])
            #expect(try await ids(RunQuery(tag: "bl")).isEmpty, "a tag matches whole")
            #expect(try await ids(RunQuery(idempotencyKey: "k-1")) == [r1.id])
            #expect(try await ids(RunQuery(parentID: r0.id)) == [r3.id])
            #expect(try await ids(RunQuery(createdFrom: Fixture.at(1), createdTo: Fixture.at(3))) == [r2.id, r1.id], "from inclusive, to exclusive")
            #expect(try await ids(RunQuery(taskName: Fixture.task, tag: "blue", createdFrom: Fixture.at(1))) == [r1.id], "filters combine")
            // And pages follow the `before` cursor
            let page1 = try await ids(RunQuery(limit: 2))
            #expect(page1 == [r4.id, r3.id])
            let page2 = try await ids(RunQuery(before: page1.last, limit: 2))
            #expect(page2 == [r2.id, r1.id])
            let page3 = try await ids(RunQuery(before: page2.last, limit: 2))
            #expect(page3 == [r0.id])
            #expect(try await ids(RunQuery(before: r0.id, limit: 2)).isEmpty)
        }
    }
}
