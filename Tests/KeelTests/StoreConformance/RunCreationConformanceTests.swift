import Foundation
import Keel
import KeelTesting
import Testing

/// Pins ``RunStore/createRun(_:lease:)``: what a new run stores, the local hand-off lease, and
/// the idempotency and debounce keys that return an existing run instead.
@Suite(.timeLimit(.minutes(2)))
struct RunCreationConformanceTests {
    @Test(arguments: TestStore.allCases)
    func createdRunRoundTripsEveryField(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a delayed child run with every optional field set
            let parent = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let new = Fixture.newRun(
                created: 1, available: 61, input: #"{"order":"o-42"}"#, parentID: parent.id, priority: .seconds(5),
                concurrencyKey: "tenant-1", expiresAt: Fixture.at(3600), idempotencyKey: "key-1",
                idempotencyKeyExpiresAt: Fixture.at(7200), tags: ["blue", "green"], scheduleID: "nightly"
            )
            // When it is created
            let created = try await store.createRun(new, lease: nil)
            // Then the store returns and keeps it as given, queued, with no lease
            #expect(!created.isExisting)
            #expect(created.lease == nil)
            let record = try #require(try await store.run(new.id))
            #expect(record == created.record)
            #expect(record.id == new.id)
            #expect(record.taskName == Fixture.task)
            #expect(record.taskVersion == "v1")
            #expect(record.queue == Fixture.queue)
            #expect(record.status == .queued)
            #expect(record.input == Fixture.json(#"{"order":"o-42"}"#))
            #expect(record.output == nil)
            #expect(record.error == nil)
            #expect(record.attempt == 1)
            #expect(record.createdAt == Fixture.at(1))
            #expect(record.startedAt == nil)
            #expect(record.finishedAt == nil)
            #expect(record.wakeAt == Fixture.at(61), "a delayed run's wakeAt is its scheduled start")
            #expect(record.leaseOwner == nil)
            #expect(record.leaseExpiresAt == nil)
            #expect(record.parentID == parent.id)
            #expect(record.concurrencyKey == "tenant-1")
            #expect(record.priority == .seconds(5))
            #expect(record.tags == ["blue", "green"])
            #expect(record.expiresAt == Fixture.at(3600))
            #expect(record.idempotencyKey == "key-1")
            #expect(record.scheduleID == "nightly")
            #expect(try await store.run(RunID.make(at: Fixture.at(1))) == nil, "an unknown id has no run")
        }
    }

    @Test(arguments: TestStore.allCases)
    func createdWithALeaseIsHandedOffToTheTriggeringWorker(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // When a run is created already leased to worker A (local hand-off)
            let new = Fixture.newRun(created: 0)
            let created = try await store.createRun(new, lease: (workerID: "worker-a", expiresAt: Fixture.at(30)))
            // Then it is running, leased to A, and the lease is returned
            let lease = try #require(created.lease)
            #expect(lease.runID == new.id)
            #expect(lease.workerID == "worker-a")
            #expect(lease.expiresAt == Fixture.at(30))
            let record = try #require(try await store.run(new.id))
            #expect(record.status == .running)
            #expect(record.leaseOwner == "worker-a")
            #expect(record.leaseExpiresAt == Fixture.at(30))
            #expect(record.startedAt != nil)
            // And no other worker claims it while the lease holds
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 10).isEmpty)
            // And the lease lets A write
            try await store.commit(RunTransition(entries: [Fixture.step(new.id, 0)]), lease: lease, now: Fixture.at(1))
            #expect(try await store.journal(new.id).count == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func sameIdempotencyKeyReturnsTheExistingRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run triggered with key "order-42", held until t+100
            let first = Fixture.newRun(created: 0, input: #"{"n":1}"#, idempotencyKey: "order-42", idempotencyKeyExpiresAt: Fixture.at(100))
            _ = try await store.createRun(first, lease: nil)
            // When the same task is triggered with the key again before it expires (asking for a lease, even)
            let second = Fixture.newRun(created: 10, input: #"{"n":2}"#, idempotencyKey: "order-42", idempotencyKeyExpiresAt: Fixture.at(110))
            let again = try await store.createRun(second, lease: (workerID: "worker-a", expiresAt: Fixture.at(40)))
            // Then the first run is returned, unchanged, without a lease, and no run is created
            #expect(again.isExisting)
            #expect(again.record.id == first.id)
            #expect(again.record.input == Fixture.json(#"{"n":1}"#))
            #expect(again.lease == nil)
            #expect(try await store.run(second.id) == nil)
            // And another task may use the same key for its own run
            let other = Fixture.newRun(created: 11, task: Fixture.otherTask, idempotencyKey: "order-42", idempotencyKeyExpiresAt: Fixture.at(100))
            let otherCreated = try await store.createRun(other, lease: nil)
            #expect(!otherCreated.isExisting)
            #expect(otherCreated.record.id == other.id)
        }
    }

    @Test(arguments: TestStore.allCases)
    func expiredIdempotencyKeyCreatesANewRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run whose idempotency key held until t+100
            let first = Fixture.newRun(created: 0, idempotencyKey: "order-42", idempotencyKeyExpiresAt: Fixture.at(100))
            _ = try await store.createRun(first, lease: nil)
            // When the key is used again at t+100
            let second = Fixture.newRun(created: 100, idempotencyKey: "order-42", idempotencyKeyExpiresAt: Fixture.at(200))
            let created = try await store.createRun(second, lease: nil)
            // Then a new run is created and now holds the key
            #expect(!created.isExisting)
            #expect(created.record.id == second.id)
            #expect(try await store.run(first.id) != nil, "the first run is kept")
            let holders = try await store.listRuns(RunQuery(taskName: Fixture.task, idempotencyKey: "order-42"))
            #expect(holders.map(\.id) == [second.id])
            // And the key returns the new run from now on
            let third = Fixture.newRun(created: 150, idempotencyKey: "order-42")
            let again = try await store.createRun(third, lease: nil)
            #expect(again.isExisting)
            #expect(again.record.id == second.id)
        }
    }

    @Test(arguments: TestStore.allCases)
    func debounceKeyReplacesInputAndPushesBackAnUnstartedRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run debounced on "user-7", due at t+10
            let first = Fixture.newRun(created: 0, available: 10, input: #"{"n":1}"#, debounceKey: "user-7")
            _ = try await store.createRun(first, lease: nil)
            // When the task is triggered again with the key before it started, due at t+15
            let second = Fixture.newRun(created: 5, available: 15, input: #"{"n":2}"#, debounceKey: "user-7")
            let debounced = try await store.createRun(second, lease: nil)
            // Then the first run takes the new input and start time
            #expect(debounced.isExisting)
            #expect(debounced.record.id == first.id)
            #expect(debounced.record.input == Fixture.json(#"{"n":2}"#))
            #expect(try await store.run(second.id) == nil)
            #expect(try await Fixture.claim(store, now: 10).isEmpty, "its start was pushed back")
            let claimed = try await Fixture.claim(store, now: 15)
            #expect(claimed.map(\.record.id) == [first.id])
            #expect(claimed.first?.record.input == Fixture.json(#"{"n":2}"#))
            // And once it started, the key creates a new run
            let third = Fixture.newRun(created: 20, debounceKey: "user-7")
            let fresh = try await store.createRun(third, lease: nil)
            #expect(!fresh.isExisting)
            #expect(fresh.record.id == third.id)
        }
    }
}
