import Foundation
import Keel
import KeelTesting
import Testing

/// Pins ``RunStore/renewLeases(workerID:runIDs:expiresAt:)`` (the heartbeat: only runs the
/// worker still holds are renewed and returned) and ``RunStore/releaseLeases(workerID:now:)``
/// (a stopping worker's runs are claimable by others at once).
@Suite(.timeLimit(.minutes(2)), .tags(.leases))
struct LeaseConformanceTests {
    @Test(arguments: TestStore.allCases)
    func renewReturnsOnlyTheRunsTheWorkerStillHolds(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given A holds run 1 (lease to t+30) and run 2 (lease to t+50), and B took run 1 over at t+31
            let one = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            let two = try await Fixture.createAndClaim(store, worker: "worker-a", now: 20)
            let taken = try await Fixture.claim(store, worker: "worker-b", now: 31)
            #expect(taken.map(\.record.id) == [one.record.id])
            // When A heartbeats both
            let renewed = try await store.renewLeases(workerID: "worker-a", runIDs: [one.record.id, two.record.id], expiresAt: Fixture.at(90))
            // Then only run 2 is renewed and returned; run 1 stays B's
            #expect(renewed == [two.record.id])
            #expect(try await store.run(two.record.id)?.leaseExpiresAt == Fixture.at(90))
            let stolen = try #require(try await store.run(one.record.id))
            #expect(stolen.leaseOwner == "worker-b")
            #expect(stolen.leaseExpiresAt == Fixture.at(61))
            // And the renewed lease keeps others off past its old expiry
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 60).isEmpty)
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 91).map(\.record.id).contains(two.record.id))
            // And renewing nothing, or runs never held, returns nothing
            #expect(try await store.renewLeases(workerID: "worker-a", runIDs: [], expiresAt: Fixture.at(100)).isEmpty)
            #expect(try await store.renewLeases(workerID: "worker-z", runIDs: [one.record.id], expiresAt: Fixture.at(100)).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aCancelledRunIsMissingFromTheRenewal(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            _ = try await store.cancelRun(claimed.record.id, now: Fixture.at(5))
            #expect(try await store.renewLeases(workerID: "worker-a", runIDs: [claimed.record.id], expiresAt: Fixture.at(60)).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func releasedRunsAreClaimableByAnotherWorkerAtOnce(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given A holds a running run and one sleeping in memory until t+100, and B holds another
            let running = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            let sleeping = try await Fixture.createAndClaim(store, worker: "worker-a", now: 1)
            try await store.commit(RunTransition(change: .waitingInMemory(wakeAt: Fixture.at(100))), lease: sleeping.lease, now: Fixture.at(2))
            let others = try await Fixture.createAndClaim(store, worker: "worker-b", now: 3)
            // When A releases its leases at t+5
            try await store.releaseLeases(workerID: "worker-a", now: Fixture.at(5))
            // Then B's lease is untouched
            #expect(try await store.run(others.record.id)?.leaseOwner == "worker-b")
            // And A's running run is queued and C claims it at once, with a new token
            let released = try #require(try await store.run(running.record.id))
            #expect(released.leaseOwner == nil)
            #expect(released.status == .queued)
            let claimed = try await Fixture.claim(store, worker: "worker-c", now: 5)
            #expect(claimed.map(\.record.id) == [running.record.id])
            #expect(claimed.first.map { $0.lease.token > running.lease.token } == true)
            // And the sleeping run stays waiting until its wake time
            let asleep = try #require(try await store.run(sleeping.record.id))
            #expect(asleep.status == .waiting)
            #expect(asleep.leaseOwner == nil)
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 99).map(\.record.id).contains(sleeping.record.id) == false)
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 100).map(\.record.id).contains(sleeping.record.id))
            // And A's old lease no longer writes
            let error = try await #require(throws: KeelError.self) {
                try await store.commit(RunTransition(entries: [Fixture.step(running.record.id, 0)]), lease: running.lease, now: Fixture.at(6))
            }
            #expect(error.code == .leaseLost)
        }
    }
}
