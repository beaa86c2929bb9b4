import Foundation
import Keel
import KeelTesting
import Testing

/// Pins ``RunStore/claimDueRuns(_:)``: which runs are due, in what order, how many, for which
/// tasks and queues; that a held run is not claimed again until its lease lapses; time to live;
/// and the queue limits (concurrency, per key, rate).
@Suite(.timeLimit(.minutes(2)), .tags(.leases))
struct ClaimConformanceTests {
    @Test(arguments: TestStore.allCases)
    func claimsOnlyDueRunsOldestDueFirst(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given runs due at t+30, t+10, t+20 and one due only at t+100
            let late = try await Fixture.create(Fixture.newRun(created: 0, available: 30), in: store)
            let early = try await Fixture.create(Fixture.newRun(created: 1, available: 10), in: store)
            let middle = try await Fixture.create(Fixture.newRun(created: 2, available: 20), in: store)
            _ = try await Fixture.create(Fixture.newRun(created: 3, available: 100), in: store)
            // When a worker claims at t+5, nothing is due
            #expect(try await Fixture.claim(store, now: 5).isEmpty)
            // When it claims two at t+50, it gets the two due first
            let firstTwo = try await Fixture.claim(store, now: 50, limit: 2)
            #expect(Set(firstTwo.map(\.record.id)) == [early.id, middle.id])
            // And then the last due one, and not the future one
            let last = try await Fixture.claim(store, now: 50)
            #expect(last.map(\.record.id) == [late.id])
            let claimed = firstTwo + last
            for run in claimed {
                #expect(run.record.status == .running)
                #expect(run.record.leaseOwner == "worker-a")
                #expect(run.lease.workerID == "worker-a")
                #expect(run.lease.runID == run.record.id)
                #expect(run.lease.expiresAt == Fixture.at(80))
                let stored = try #require(try await store.run(run.record.id))
                #expect(stored.status == .running)
                #expect(stored.startedAt == Fixture.at(50))
                #expect(stored.leaseExpiresAt == Fixture.at(80))
                // The claim returns the run as it stored it
                #expect(run.record == stored)
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func claimsAtMostLimitRuns(store kind: TestStore) async throws {
        try await kind.withStore { store in
            var ids: [RunID] = []
            for second in 0..<5 { ids.append(try await Fixture.create(Fixture.newRun(created: TimeInterval(second)), in: store).id) }
            // The two due first go to A, the rest to B (the order within a claim is not pinned)
            let first = try await Fixture.claim(store, now: 10, limit: 2)
            #expect(Set(first.map(\.record.id)) == Set(ids[0..<2]))
            let rest = try await Fixture.claim(store, worker: "worker-b", now: 10, limit: 10)
            #expect(Set(rest.map(\.record.id)) == Set(ids[2..<5]))
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 10, limit: 0).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func claimsOnlyTheListedTasksAndQueues(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given due runs of two tasks on two queues
            let mine = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let otherTask = try await Fixture.create(Fixture.newRun(created: 1, task: Fixture.otherTask), in: store)
            let otherQueue = try await Fixture.create(Fixture.newRun(created: 2, queue: "email"), in: store)
            // When a worker of one task on one queue claims, it gets only that run
            let claimed = try await Fixture.claim(store, now: 10, tasks: [Fixture.task])
            #expect(claimed.map(\.record.id) == [mine.id])
            // And the others stay queued for workers that serve them
            #expect(try await store.run(otherTask.id)?.status == .queued)
            #expect(try await store.run(otherQueue.id)?.status == .queued)
            let email = try await Fixture.claim(store, worker: "worker-b", now: 10, queues: [QueueDefinition("email")])
            #expect(email.map(\.record.id) == [otherQueue.id])
            let other = try await Fixture.claim(store, worker: "worker-c", now: 10, tasks: [Fixture.otherTask])
            #expect(other.map(\.record.id) == [otherTask.id])
            #expect(try await Fixture.claim(store, worker: "worker-d", now: 10, tasks: []).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aHeldRunIsClaimedAgainOnlyAfterItsLeaseLapses(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run worker A claimed at t+0 with a 30 s lease
            let first = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            // When worker B claims before the lease lapses, it gets nothing
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 29).isEmpty)
            #expect(try await store.run(first.record.id)?.leaseOwner == "worker-a")
            // When B claims after the lease lapsed
            let second = try #require(try await Fixture.claim(store, worker: "worker-b", now: 31).first)
            // Then B holds the run under a new lease with a higher fencing token
            #expect(second.record.id == first.record.id)
            #expect(second.lease.workerID == "worker-b")
            #expect(second.lease.token > first.lease.token)
            #expect(second.lease.expiresAt == Fixture.at(61))
            let stored = try #require(try await store.run(first.record.id))
            #expect(stored.leaseOwner == "worker-b")
            #expect(stored.startedAt == Fixture.at(0), "a reclaimed run keeps its first start")
            // And a third worker does not take it from B
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 40).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func priorityClaimsARunAheadOfOlderRunsButNotBeforeItIsDue(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given an old run, a newer one 10 s ahead by priority, and a future one with a large priority
            let old = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let urgent = try await Fixture.create(Fixture.newRun(created: 5, priority: .seconds(10)), in: store)
            let future = try await Fixture.create(Fixture.newRun(created: 6, available: 100, priority: .seconds(1000)), in: store)
            // When a worker with one free slot claims at t+10
            let claimed = try await Fixture.claim(store, now: 10, limit: 1)
            // Then the prioritised run comes first
            #expect(claimed.map(\.record.id) == [urgent.id])
            #expect(try await Fixture.claim(store, now: 10, limit: 5).map(\.record.id) == [old.id])
            // And priority does not make a run due early
            #expect(try await store.run(future.id)?.status == .queued)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 99).map(\.record.id).contains(future.id) == false)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 100).map(\.record.id).contains(future.id))
        }
    }

    @Test(arguments: TestStore.allCases)
    func timeToLiveExpiresUnstartedRunsEvenWhenLimitIsZero(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a queued run that must start by t+10, and a started one with the same time to live
            let unstarted = try await Fixture.create(Fixture.newRun(created: 0, available: 5, expiresAt: Fixture.at(10)), in: store)
            let started = try await store.createRun(
                Fixture.newRun(created: 0, expiresAt: Fixture.at(10)), lease: (workerID: "worker-a", expiresAt: Fixture.at(300))
            )
            // When a worker with no free slot claims at t+10
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 10, limit: 0).isEmpty)
            // Then the unstarted run expired, journaling run.expired, and is never claimed
            let record = try #require(try await store.run(unstarted.id))
            #expect(record.status == .expired)
            #expect(record.finishedAt == Fixture.at(10))
            #expect(try await store.journal(unstarted.id).map(\.kind) == [.runExpired])
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 20).isEmpty)
            // And the started run is not expired
            #expect(try await store.run(started.record.id)?.status == .running)
        }
    }

    @Test(arguments: TestStore.allCases)
    func queueConcurrencyLimitCapsLiveLeasesAcrossWorkers(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let queue = QueueDefinition("limited", concurrencyLimit: 2)
            for second in 0..<4 { try await Fixture.create(Fixture.newRun(created: TimeInterval(second), queue: "limited"), in: store) }
            // When two workers claim, only two runs execute at once
            let a = try await Fixture.claim(store, worker: "worker-a", now: 10, queues: [queue])
            #expect(a.count == 2)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 10, queues: [queue]).isEmpty)
            // When one finishes, one more may start
            try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: a[0].lease, now: Fixture.at(11))
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 12, queues: [queue]).count == 1)
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 12, queues: [queue]).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func perKeyConcurrencyLimitCapsEachKey(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let queue = QueueDefinition("tenants", concurrencyLimitPerKey: 1)
            let a1 = try await Fixture.create(Fixture.newRun(created: 0, queue: "tenants", concurrencyKey: "a"), in: store)
            _ = try await Fixture.create(Fixture.newRun(created: 1, queue: "tenants", concurrencyKey: "a"), in: store)
            let b1 = try await Fixture.create(Fixture.newRun(created: 2, queue: "tenants", concurrencyKey: "b"), in: store)
            let free = try await Fixture.create(Fixture.newRun(created: 3, queue: "tenants"), in: store)
            // When a worker claims, it takes one run per key (and runs without a key)
            let claimed = try await Fixture.claim(store, now: 10, queues: [queue])
            #expect(Set(claimed.map(\.record.id)) == [a1.id, b1.id, free.id])
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 10, queues: [queue]).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func rateLimitCapsStartsPerPeriod(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let queue = QueueDefinition("rated", rateLimit: .init(limit: 2, period: .seconds(60)))
            for second in 0..<4 { try await Fixture.create(Fixture.newRun(created: TimeInterval(second), queue: "rated"), in: store) }
            let started = try await Fixture.claim(store, worker: "worker-a", now: 10, queues: [queue])
            #expect(started.count == 2)
            for run in started {
                try await store.commit(RunTransition(change: .completed(output: Fixture.json("1"))), lease: run.lease, now: Fixture.at(11))
            }
            // Two started in the last minute, although none runs now
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 30, queues: [queue]).isEmpty)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 69, queues: [queue]).isEmpty)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 71, queues: [queue]).count == 2)
        }
    }

    @Test(arguments: TestStore.allCases)
    func racingClaimersNeverGetTheSameRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given 50 due runs
            for index in 0..<50 {
                try await Fixture.create(Fixture.newRun(created: TimeInterval(index) / 100), in: store)
            }
            // When two workers claim at the same moment
            async let a = Fixture.claim(store, worker: "worker-a", now: 10, limit: 50)
            async let b = Fixture.claim(store, worker: "worker-b", now: 10, limit: 50)
            let (claimedA, claimedB) = try await (a, b)
            // Then no run is claimed twice, and every run is claimed once
            let idsA = Set(claimedA.map(\.record.id))
            let idsB = Set(claimedB.map(\.record.id))
            #expect(idsA.count == claimedA.count)
            #expect(idsB.count == claimedB.count)
            #expect(idsA.isDisjoint(with: idsB))
            #expect(idsA.count + idsB.count == 50)
            for run in claimedA { #expect(try await store.run(run.record.id)?.leaseOwner == "worker-a") }
            for run in claimedB { #expect(try await store.run(run.record.id)?.leaseOwner == "worker-b") }
        }
    }
}
