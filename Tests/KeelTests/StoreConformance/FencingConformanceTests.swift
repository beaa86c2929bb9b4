import Foundation
import Keel
import KeelTesting
import Logging
import Testing

/// Pins ``RunStore/commit(_:lease:now:)``: journal entries appended in order and read back,
/// fencing (a stale lease writes nothing), and what each ``RunTransition/Change`` leaves on the
/// run, with children created in the same transaction.
@Suite(.timeLimit(.minutes(2)), .tags(.leases))
struct FencingConformanceTests {
    @Test(arguments: TestStore.allCases)
    func committedEntriesAreReadBackInSequenceOrder(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            let id = claimed.record.id
            // When two commits append entries 0–1 and 2–3
            try await store.commit(RunTransition(entries: [Fixture.step(id, 0), Fixture.step(id, 1)]), lease: claimed.lease, now: Fixture.at(1))
            let sleep = JournalEntry(
                runID: id, sequence: 2, position: 2, kind: .sleep, name: "sleep", wakeAt: Fixture.at(500), recordedAt: Fixture.at(2)
            )
            let failed = JournalEntry(
                runID: id, sequence: 3, position: 3, kind: .stepAttemptFailed, name: "charge", attempt: 2, error: Fixture.boom,
                startedAt: Fixture.at(2), wakeAt: Fixture.at(4), recordedAt: Fixture.at(3)
            )
            try await store.commit(RunTransition(entries: [sleep, failed]), lease: claimed.lease, now: Fixture.at(3))
            // Then the journal holds them in order, every field kept
            let journal = try await store.journal(id)
            #expect(journal == [Fixture.step(id, 0), Fixture.step(id, 1), sleep, failed])
            #expect(try await store.journal(id, fromSequence: 2) == [sleep, failed])
            #expect(try await store.journal(id, fromSequence: 4).isEmpty)
            // And `.none` leaves the run running under the same lease
            let record = try #require(try await store.run(id))
            #expect(record.status == .running)
            #expect(record.leaseOwner == "worker-a")
        }
    }

    @Test(arguments: TestStore.allCases)
    func entriesWrittenOutOfSequenceOrderAreReadBackInIt(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            let id = claimed.record.id
            // When entries are stored in the order 5, 3, then 0–2 and 4 (a store's rows come back
            // in the order of its scan, which need not be the sequence's)
            for sequences in [[5], [3], [0, 1, 2], [4]] {
                try await store.commit(RunTransition(entries: sequences.map { Fixture.step(id, $0) }), lease: claimed.lease, now: Fixture.at(1))
            }
            // Then they are read back by sequence
            #expect(try await store.journal(id) == (0...5).map { Fixture.step(id, $0) })
            #expect(try await store.journal(id, fromSequence: 3) == (3...5).map { Fixture.step(id, $0) })
        }
    }

    @Test(arguments: TestStore.allCases)
    func anEmptyPayloadAndAMissingOneReadBackApartAsDoManyEntries(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            let id = claimed.record.id
            // Given an entry with an empty payload, one with none and no position, and 300 steps
            let empty = JournalEntry(runID: id, sequence: 0, position: 0, kind: .stepCompleted, name: "empty", payload: Data(), recordedAt: Fixture.at(1))
            let none = JournalEntry(runID: id, sequence: 1, position: nil, kind: .runCancelled, name: "none", recordedAt: Fixture.at(1))
            let steps = (2..<302).map { Fixture.step(id, $0) }
            try await store.commit(RunTransition(entries: [empty, none] + steps), lease: claimed.lease, now: Fixture.at(1))
            // Then each is read back as written, in order
            let journal = try await store.journal(id)
            #expect(journal == [empty, none] + steps)
            #expect(journal.first?.payload == Data())
            #expect(journal.dropFirst().first?.payload == nil)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aStaleLeaseIsFencedOffAndWritesNothing(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run A claimed and wrote one entry to, then lost to B after its lease lapsed
            let a = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            let id = a.record.id
            try await store.commit(RunTransition(entries: [Fixture.step(id, 0)]), lease: a.lease, now: Fixture.at(1))
            let b = try #require(try await Fixture.claim(store, worker: "worker-b", now: 31).first)
            // When A commits with its old lease (an entry, a child, a waitpoint, logs and completion)
            var stale = RunTransition(
                entries: [Fixture.step(id, 1, name: "late")], change: .completed(output: Fixture.json("1")),
                newRuns: [Fixture.newRun(created: 32, parentID: id)],
                newWaitpoints: [Waitpoint(id: "stale-token", runID: id, kind: .token, createdAt: Fixture.at(32))]
            )
            stale.logs = [Fixture.log(id, "late line")]
            let error = try await #require(throws: KeelError.self) { try await store.commit(stale, lease: a.lease, now: Fixture.at(32)) }
            // Then it fails with leaseLost and nothing was written
            #expect(error.code == .leaseLost)
            #expect(try await store.journal(id) == [Fixture.step(id, 0)])
            let record = try #require(try await store.run(id))
            #expect(record.status == .running)
            #expect(record.leaseOwner == "worker-b")
            #expect(record.output == nil)
            #expect(try await store.listRuns(RunQuery(parentID: id)).isEmpty)
            #expect(try await store.waitpoint("stale-token") == nil)
            #expect(try await store.runLogs(id, afterSequence: nil, limit: 10).isEmpty)
            // And the same goes for entries alone (a step's result, as most commits are), with or
            // without a child and a waitpoint, and for a child and a waitpoint without entries
            let staleSteps = RunTransition(
                entries: [Fixture.step(id, 1, name: "late"), Fixture.step(id, 2, name: "later")],
                newRuns: [Fixture.newRun(created: 32, parentID: id)],
                newWaitpoints: [Waitpoint(id: "stale-step-token", runID: id, kind: .token, createdAt: Fixture.at(32))]
            )
            let staleChild = RunTransition(
                newRuns: [Fixture.newRun(created: 32, parentID: id)],
                newWaitpoints: [Waitpoint(id: "stale-child-token", runID: id, kind: .token, createdAt: Fixture.at(32))]
            )
            for transition in [RunTransition(entries: [Fixture.step(id, 1, name: "late")]), staleSteps, staleChild] {
                let error = try await #require(throws: KeelError.self) { try await store.commit(transition, lease: a.lease, now: Fixture.at(32)) }
                #expect(error.code == .leaseLost)
            }
            #expect(try await store.journal(id) == [Fixture.step(id, 0)])
            #expect(try await store.listRuns(RunQuery(parentID: id)).isEmpty)
            #expect(try await store.waitpoint("stale-step-token") == nil)
            #expect(try await store.waitpoint("stale-child-token") == nil)
            // And the same goes for a wait under the stale lease
            let waitError = try await #require(throws: KeelError.self) {
                _ = try await store.awaitWaitpoint(
                    Waitpoint(id: "stale-event", runID: id, kind: .event, eventName: "go", createdAt: Fixture.at(32)), lease: a.lease, now: Fixture.at(32)
                )
            }
            #expect(waitError.code == .leaseLost)
            #expect(try await store.waitpoint("stale-event") == nil)
            // And B's lease writes at the next sequence
            try await store.commit(RunTransition(entries: [Fixture.step(id, 1)]), lease: b.lease, now: Fixture.at(33))
            #expect(try await store.journal(id).map(\.sequence) == [0, 1])
        }
    }

    @Test(arguments: TestStore.allCases)
    func completedRecordsTheOutputAndFinishesTheRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            try await store.commit(RunTransition(change: .completed(output: Fixture.json(#"{"ok":true}"#))), lease: claimed.lease, now: Fixture.at(5))
            let record = try #require(try await store.run(claimed.record.id))
            #expect(record.status == .completed)
            #expect(record.output == Fixture.json(#"{"ok":true}"#))
            #expect(record.error == nil)
            #expect(record.finishedAt == Fixture.at(5))
            #expect(record.leaseOwner == nil)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 1000).isEmpty, "a finished run is never claimed")
            let error = try await #require(throws: KeelError.self) {
                try await store.commit(RunTransition(entries: [Fixture.step(claimed.record.id, 0)]), lease: claimed.lease, now: Fixture.at(6))
            }
            #expect(error.code == .leaseLost, "a finished run takes no more writes")
        }
    }

    @Test(arguments: TestStore.allCases)
    func failedRecordsTheErrorAndFinishesTheRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            try await store.commit(RunTransition(change: .failed(Fixture.boom)), lease: claimed.lease, now: Fixture.at(5))
            let record = try #require(try await store.run(claimed.record.id))
            #expect(record.status == .failed)
            #expect(record.error == Fixture.boom)
            #expect(record.output == nil)
            #expect(record.finishedAt == Fixture.at(5))
            #expect(record.leaseOwner == nil)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 1000).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func retryingReleasesTheLeaseAndMakesTheRunDueAtWakeAt(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            try await store.commit(RunTransition(change: .retrying(attempt: 2, wakeAt: Fixture.at(100))), lease: claimed.lease, now: Fixture.at(5))
            let record = try #require(try await store.run(claimed.record.id))
            #expect(record.status == .waiting)
            #expect(record.attempt == 2)
            #expect(record.wakeAt == Fixture.at(100))
            #expect(record.leaseOwner == nil)
            #expect(record.finishedAt == nil)
            #expect(try await Fixture.claim(store, worker: "worker-a", now: 99).isEmpty)
            let again = try #require(try await Fixture.claim(store, worker: "worker-a", now: 100).first)
            #expect(again.record.id == claimed.record.id)
            #expect(again.record.attempt == 2)
            #expect(again.lease.token > claimed.lease.token)
        }
    }

    @Test(arguments: TestStore.allCases)
    func suspendedReleasesTheLeaseWithTheGivenStatusUntilWakeAt(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let sleeper = try await Fixture.createAndClaim(store, now: 0)
            let requeued = try await Fixture.createAndClaim(store, now: 1)
            try await store.commit(RunTransition(change: .suspended(status: .waiting, wakeAt: Fixture.at(60))), lease: sleeper.lease, now: Fixture.at(2))
            try await store.commit(RunTransition(change: .suspended(status: .queued, wakeAt: Fixture.at(50))), lease: requeued.lease, now: Fixture.at(2))
            let waiting = try #require(try await store.run(sleeper.record.id))
            #expect(waiting.status == .waiting)
            #expect(waiting.wakeAt == Fixture.at(60))
            #expect(waiting.leaseOwner == nil)
            let queued = try #require(try await store.run(requeued.record.id))
            #expect(queued.status == .queued)
            #expect(queued.leaseOwner == nil)
            // Due again at wakeAt, for any worker (the old one included)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 49).isEmpty)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 50).map(\.record.id) == [requeued.record.id])
            #expect(try await Fixture.claim(store, worker: "worker-a", now: 60).map(\.record.id) == [sleeper.record.id])
        }
    }

    @Test(arguments: TestStore.allCases)
    func waitingInMemoryKeepsTheLeaseAndRunningResumes(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            try await store.commit(RunTransition(change: .waitingInMemory(wakeAt: Fixture.at(10))), lease: claimed.lease, now: Fixture.at(1))
            let waiting = try #require(try await store.run(claimed.record.id))
            #expect(waiting.status == .waiting)
            #expect(waiting.wakeAt == Fixture.at(10))
            #expect(waiting.leaseOwner == "worker-a")
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 20).isEmpty, "the lease still holds")
            try await store.commit(RunTransition(change: .running), lease: claimed.lease, now: Fixture.at(10))
            let running = try #require(try await store.run(claimed.record.id))
            #expect(running.status == .running)
            #expect(running.wakeAt == nil)
            #expect(running.leaseOwner == "worker-a")
        }
    }

    @Test(arguments: TestStore.allCases)
    func parkedStopsTheRunUntilResumed(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            let id = claimed.record.id
            try await store.commit(RunTransition(entries: [Fixture.step(id, 0)]), lease: claimed.lease, now: Fixture.at(1))
            let mismatch = RecordedError(type: "Keel.NonDeterminismError", message: "step 'a' became 'b'", isRetryable: false)
            try await store.commit(RunTransition(change: .parked(mismatch)), lease: claimed.lease, now: Fixture.at(2))
            // Then the run is parked, not finished, with its error and journal kept, and never claimed
            let parked = try #require(try await store.run(id))
            #expect(parked.status == .parked)
            #expect(parked.error == mismatch)
            #expect(parked.finishedAt == nil)
            #expect(parked.leaseOwner == nil)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 1000).isEmpty)
            // When resumed, it is queued without the error and claimable at once, journal intact
            let resumed = try await store.resumeParkedRun(id, now: Fixture.at(1000))
            #expect(resumed.status == .queued)
            #expect(resumed.error == nil)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 1000).map(\.record.id) == [id])
            #expect(try await store.journal(id) == [Fixture.step(id, 0)])
        }
    }

    @Test(arguments: TestStore.allCases)
    func resumingARunThatIsNotParkedIsRefused(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let queued = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let error = try await #require(throws: KeelError.self) { _ = try await store.resumeParkedRun(queued.id, now: Fixture.at(1)) }
            #expect(error.code == .invalidState)
            #expect(try await store.run(queued.id)?.status == .queued)
            let missing = try await #require(throws: KeelError.self) {
                _ = try await store.resumeParkedRun(RunID.make(at: Fixture.at(2)), now: Fixture.at(2))
            }
            #expect(missing.code == .runNotFound)
        }
    }

    @Test(arguments: TestStore.allCases)
    func newRunsAreCreatedAsChildrenInTheSameTransaction(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let parent = try await Fixture.createAndClaim(store)
            let children = (0..<3).map { index in
                Fixture.newRun(created: 1 + TimeInterval(index), task: Fixture.otherTask, input: "\(index)", parentID: parent.record.id, batchIndex: index)
            }
            let entry = JournalEntry(
                runID: parent.record.id, sequence: 0, position: 0, kind: .childrenTriggered, name: Fixture.otherTask, recordedAt: Fixture.at(4)
            )
            try await store.commit(RunTransition(entries: [entry], newRuns: children), lease: parent.lease, now: Fixture.at(4))
            let listed = try await store.listRuns(RunQuery(parentID: parent.record.id))
            #expect(listed.map(\.id) == children.reversed().map(\.id), "newest first")
            for child in children {
                let record = try #require(try await store.run(child.id))
                #expect(record.parentID == parent.record.id)
                #expect(record.status == .queued)
                #expect(record.input == child.input)
            }
            #expect(try await store.journal(parent.record.id) == [entry])
            let claimed = try await Fixture.claim(store, worker: "worker-b", now: 10, tasks: [Fixture.otherTask])
            #expect(Set(claimed.map(\.record.id)) == Set(children.map(\.id)))
        }
    }

    @Test(arguments: TestStore.allCases)
    func logsInACommitRespectTheLimitPerRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let claimed = try await Fixture.createAndClaim(store)
            let id = claimed.record.id
            var first = RunTransition(entries: [Fixture.step(id, 0)])
            first.logs = [Fixture.log(id, "one", at: 1), Fixture.log(id, "two", at: 2)]
            first.maximumLogLinesPerRun = 4
            try await store.commit(first, lease: claimed.lease, now: Fixture.at(2))
            var second = RunTransition(entries: [Fixture.step(id, 1)])
            second.logs = [Fixture.log(id, "three", at: 3), Fixture.log(id, "four", at: 4), Fixture.log(id, "five", at: 5)]
            second.maximumLogLinesPerRun = 4
            try await store.commit(second, lease: claimed.lease, now: Fixture.at(5))
            // Then three lines as written, then the limit line in the last slot
            let lines = try await store.runLogs(id, afterSequence: nil, limit: 100)
            #expect(lines.map(\.message).prefix(3) == ["one", "two", "three"])
            #expect(lines.map(\.sequence) == [0, 1, 2, 3])
            let limit = RunLogLine.limitReached(runID: id, limit: 4, loggedAt: Fixture.at(4))
            #expect(lines.last?.message == limit.message)
            #expect(lines.last?.level == .warning)
            #expect(try await store.journal(id).count == 2, "the entries are written although the logs are capped")
        }
    }
}
