import Foundation
import Keel
import KeelTesting
import Testing

/// Pins ``RunStore/cancelRun(_:now:)``: an unfinished run and its unfinished descendants are
/// cancelled and journal `run.cancelled`; finished runs are left alone; unknown ids throw.
@Suite(.timeLimit(.minutes(2)))
struct CancellationConformanceTests {
    @Test(arguments: TestStore.allCases)
    func cancelsTheRunAndItsUnfinishedDescendants(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a running parent with a queued child (which has a child), and a completed child
            let parent = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            let done = Fixture.newRun(created: 1, task: Fixture.otherTask, parentID: parent.record.id, batchIndex: 0)
            let pending = Fixture.newRun(created: 2, task: Fixture.otherTask, parentID: parent.record.id, batchIndex: 1)
            try await store.commit(RunTransition(newRuns: [done, pending]), lease: parent.lease, now: Fixture.at(2))
            let grandchild = try await Fixture.create(Fixture.newRun(created: 3, task: Fixture.otherTask, parentID: pending.id), in: store)
            let doneClaim = try #require(try await Fixture.claim(store, worker: "worker-b", now: 1, limit: 1, tasks: [Fixture.otherTask]).first)
            #expect(doneClaim.record.id == done.id)
            try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: doneClaim.lease, now: Fixture.at(5))
            // When the parent is cancelled
            let cancelled = try await store.cancelRun(parent.record.id, now: Fixture.at(10))
            // Then it comes first, with its unfinished descendants, each journaling run.cancelled
            #expect(cancelled.first == parent.record.id)
            #expect(Set(cancelled) == [parent.record.id, pending.id, grandchild.id])
            for id in cancelled {
                let record = try #require(try await store.run(id))
                #expect(record.status == .cancelled)
                #expect(record.finishedAt == Fixture.at(10))
                #expect(record.leaseOwner == nil)
                #expect(try await store.journal(id).last?.kind == .runCancelled)
            }
            // And the completed child is untouched
            let finished = try #require(try await store.run(done.id))
            #expect(finished.status == .completed)
            #expect(try await store.journal(done.id).contains { $0.kind == .runCancelled } == false)
            // And the parent's worker is fenced off, and nothing is claimable
            let error = try await #require(throws: KeelError.self) {
                try await store.commit(RunTransition(entries: [Fixture.step(parent.record.id, 0)]), lease: parent.lease, now: Fixture.at(11))
            }
            #expect(error.code == .leaseLost)
            #expect(try await Fixture.claim(store, worker: "worker-d", now: 1000).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func cancellingAFinishedRunCancelsNothing(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: claimed.lease, now: Fixture.at(1))
            let journal = try await store.journal(claimed.record.id)
            #expect(try await store.cancelRun(claimed.record.id, now: Fixture.at(2)).isEmpty)
            #expect(try await store.run(claimed.record.id)?.status == .completed)
            #expect(try await store.journal(claimed.record.id) == journal)
            // And a second cancel of a cancelled run is empty too
            let queued = try await Fixture.create(Fixture.newRun(created: 3), in: store)
            #expect(try await store.cancelRun(queued.id, now: Fixture.at(4)) == [queued.id])
            #expect(try await store.cancelRun(queued.id, now: Fixture.at(5)).isEmpty)
            #expect(try await store.journal(queued.id).filter { $0.kind == .runCancelled }.count == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func cancellingAnUnknownRunThrowsRunNotFound(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let error = try await #require(throws: KeelError.self) { _ = try await store.cancelRun(RunID.make(at: Fixture.at(0)), now: Fixture.at(1)) }
            #expect(error.code == .runNotFound)
        }
    }
}
