import Foundation
import Keel
import KeelTesting
import Testing

/// Pins the waitpoint operations: ``RunStore/awaitWaitpoint(_:lease:now:)`` suspends a run
/// (status waiting, lease released) until ``RunStore/completeToken(_:payload:now:)``,
/// ``RunStore/sendEvent(_:payload:now:)``, its timeout, or its last child wakes it.
@Suite(.timeLimit(.minutes(2)))
struct WaitpointConformanceTests {
    /// Creates and claims a run, creates a token for it in a commit and waits on it.
    private func runWaitingOnToken(
        _ store: any RunStore, token: String, timeoutAt: Date? = nil, now: TimeInterval = 0
    ) async throws -> (ClaimedRun, Waitpoint) {
        let claimed = try await Fixture.createAndClaim(store, now: now)
        let waitpoint = Waitpoint(id: token, runID: claimed.record.id, kind: .token, timeoutAt: timeoutAt, createdAt: Fixture.at(now))
        try await store.commit(RunTransition(newWaitpoints: [waitpoint]), lease: claimed.lease, now: Fixture.at(now))
        let resolution = try await store.awaitWaitpoint(waitpoint, lease: claimed.lease, now: Fixture.at(now))
        guard case .suspended = resolution else {
            Issue.record("a pending token should suspend the run, got \(resolution)")
            return (claimed, waitpoint)
        }
        return (claimed, waitpoint)
    }

    @Test(arguments: TestStore.allCases)
    func awaitingATokenSuspendsTheRunAndCompletingItWakesTheRun(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run waiting on token "approve"
            let (claimed, waitpoint) = try await runWaitingOnToken(store, token: "approve")
            let id = claimed.record.id
            let waiting = try #require(try await store.run(id))
            #expect(waiting.status == .waiting)
            #expect(waiting.leaseOwner == nil)
            #expect(try await store.waitpoint("approve")?.status == .pending)
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 1_000_000).isEmpty, "a wait without timeout is never due by time")
            let stale = try await #require(throws: KeelError.self) {
                try await store.commit(RunTransition(entries: [Fixture.step(id, 0)]), lease: claimed.lease, now: Fixture.at(1))
            }
            #expect(stale.code == .leaseLost, "suspending released the lease")
            // When the token is completed
            let completed = try await store.completeToken("approve", payload: Fixture.json(#"{"ok":true}"#), now: Fixture.at(10))
            // Then it stores the payload and the run is claimable again
            #expect(completed.id == "approve")
            #expect(completed.status == .completed)
            #expect(completed.payload == Fixture.json(#"{"ok":true}"#))
            #expect(completed.resolvedAt == Fixture.at(10))
            #expect(try await store.waitpoint("approve") == completed)
            let woken = try #require(try await Fixture.claim(store, worker: "worker-b", now: 10).first)
            #expect(woken.record.id == id)
            // And waiting on it again (the replay) answers with the payload at once
            let replay = try await store.awaitWaitpoint(waitpoint, lease: woken.lease, now: Fixture.at(11))
            guard case .completed(let payload) = replay else {
                Issue.record("expected .completed, got \(replay)")
                return
            }
            #expect(payload == Fixture.json(#"{"ok":true}"#))
            #expect(try await store.run(id)?.status == .running, "an answered wait does not suspend")
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTokenCompletedBeforeTheRunWaitsAnswersTheWaitAtOnce(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run that created token "early" in a commit but has not waited on it yet
            let claimed = try await Fixture.createAndClaim(store)
            let waitpoint = Waitpoint(id: "early", runID: claimed.record.id, kind: .token, createdAt: Fixture.at(0))
            try await store.commit(RunTransition(newWaitpoints: [waitpoint]), lease: claimed.lease, now: Fixture.at(0))
            #expect(try await store.waitpoint("early")?.status == .pending)
            // When the token is completed from outside first
            _ = try await store.completeToken("early", payload: Fixture.json("7"), now: Fixture.at(1))
            // Then the running run keeps its lease, and its wait is answered without suspending
            let running = try #require(try await store.run(claimed.record.id))
            #expect(running.status == .running)
            #expect(running.leaseOwner == "worker-a")
            let resolution = try await store.awaitWaitpoint(waitpoint, lease: claimed.lease, now: Fixture.at(2))
            guard case .completed(let payload) = resolution else {
                Issue.record("expected .completed, got \(resolution)")
                return
            }
            #expect(payload == Fixture.json("7"))
            #expect(try await store.run(claimed.record.id)?.status == .running)
        }
    }

    @Test(arguments: TestStore.allCases)
    func completingATokenTwiceIsRefused(store kind: TestStore) async throws {
        try await kind.withStore { store in
            _ = try await runWaitingOnToken(store, token: "once")
            _ = try await store.completeToken("once", payload: Fixture.json("1"), now: Fixture.at(5))
            let error = try await #require(throws: KeelError.self) {
                _ = try await store.completeToken("once", payload: Fixture.json("2"), now: Fixture.at(6))
            }
            #expect(error.code == .invalidState)
            #expect(try await store.waitpoint("once")?.payload == Fixture.json("1"), "the first payload stays")
        }
    }

    @Test(arguments: TestStore.allCases)
    func completingAnUnknownTokenThrowsTokenNotFound(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let error = try await #require(throws: KeelError.self) { _ = try await store.completeToken("nope", payload: Fixture.json("1"), now: Fixture.at(0)) }
            #expect(error.code == .tokenNotFound)
            #expect(try await store.waitpoint("nope") == nil)
            // An event waitpoint's id is not a token either
            let claimed = try await Fixture.createAndClaim(store)
            let event = Waitpoint(id: "event-wp", runID: claimed.record.id, kind: .event, eventName: "go", createdAt: Fixture.at(0))
            _ = try await store.awaitWaitpoint(event, lease: claimed.lease, now: Fixture.at(0))
            let notToken = try await #require(throws: KeelError.self) { _ = try await store.completeToken("event-wp", payload: Fixture.json("1"), now: Fixture.at(1)) }
            #expect(notToken.code == .tokenNotFound)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTokenThatTimedOutWakesTheRunAndCannotBeCompleted(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run waiting on a token that times out at t+60
            let (_, waitpoint) = try await runWaitingOnToken(store, token: "slow", timeoutAt: Fixture.at(60))
            #expect(try await store.run(waitpoint.runID)?.wakeAt == Fixture.at(60))
            // Then the run is due at the timeout
            #expect(try await Fixture.claim(store, worker: "worker-b", now: 59).isEmpty)
            let woken = try #require(try await Fixture.claim(store, worker: "worker-b", now: 60).first)
            #expect(woken.record.id == waitpoint.runID)
            // And completing the token after its timeout is refused
            let error = try await #require(throws: KeelError.self) { _ = try await store.completeToken("slow", payload: Fixture.json("1"), now: Fixture.at(61)) }
            #expect(error.code == .invalidState)
            // And waiting on it again answers timedOut, and the waitpoint says so
            let resolution = try await store.awaitWaitpoint(waitpoint, lease: woken.lease, now: Fixture.at(61))
            guard case .timedOut = resolution else {
                Issue.record("expected .timedOut, got \(resolution)")
                return
            }
            #expect(try await store.waitpoint("slow")?.status == .timedOut)
            #expect(try await store.run(waitpoint.runID)?.status == .running)
        }
    }

    @Test(arguments: TestStore.allCases)
    func completingATokenOfAFinishedRunIsRefused(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let (claimed, _) = try await runWaitingOnToken(store, token: "orphan")
            _ = try await store.cancelRun(claimed.record.id, now: Fixture.at(5))
            let error = try await #require(throws: KeelError.self) { _ = try await store.completeToken("orphan", payload: Fixture.json("1"), now: Fixture.at(6)) }
            #expect(error.code == .invalidState)
        }
    }

    @Test(arguments: TestStore.allCases)
    func sendEventWakesOnlyRunsStillWaitingOnThatEvent(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given runs A and B waiting on "approval", C on "other", and D's approval wait, whose run was cancelled
            func waitOn(_ event: String, id: String, now: TimeInterval) async throws -> RunID {
                let claimed = try await Fixture.createAndClaim(store, now: now)
                let waitpoint = Waitpoint(id: id, runID: claimed.record.id, kind: .event, eventName: event, createdAt: Fixture.at(now))
                let resolution = try await store.awaitWaitpoint(waitpoint, lease: claimed.lease, now: Fixture.at(now))
                guard case .suspended = resolution else {
                    Issue.record("expected .suspended, got \(resolution)")
                    return claimed.record.id
                }
                return claimed.record.id
            }
            let a = try await waitOn("approval", id: "a-approval", now: 0)
            let b = try await waitOn("approval", id: "b-approval", now: 1)
            let c = try await waitOn("other", id: "c-other", now: 2)
            let d = try await waitOn("approval", id: "d-approval", now: 3)
            _ = try await store.cancelRun(d, now: Fixture.at(4))
            // When "approval" is sent
            let woken = try await store.sendEvent("approval", payload: Fixture.json(#""yes""#), now: Fixture.at(10))
            // Then A and B are woken, with the payload, and claimable; C and D are not
            #expect(Set(woken) == [a, b])
            #expect(woken.count == 2)
            #expect(try await store.waitpoint("a-approval")?.payload == Fixture.json(#""yes""#))
            #expect(try await store.waitpoint("a-approval")?.status == .completed)
            #expect(try await store.waitpoint("c-other")?.status == .pending)
            #expect(try await store.waitpoint("d-approval")?.status == .pending)
            let claimed = try await Fixture.claim(store, worker: "worker-b", now: 10)
            #expect(Set(claimed.map(\.record.id)) == [a, b])
            #expect(try await store.run(c)?.status == .waiting)
            #expect(try await store.run(d)?.status == .cancelled)
            // And sending it again wakes no one
            #expect(try await store.sendEvent("approval", payload: Fixture.json("1"), now: Fixture.at(11)).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func anEventWaitPastItsTimeoutTakesNoEvent(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a run waiting on "go" until t+60
            let claimed = try await Fixture.createAndClaim(store)
            let waitpoint = Waitpoint(id: "go-wait", runID: claimed.record.id, kind: .event, eventName: "go", timeoutAt: Fixture.at(60), createdAt: Fixture.at(0))
            _ = try await store.awaitWaitpoint(waitpoint, lease: claimed.lease, now: Fixture.at(0))
            // When "go" is sent at the timeout, it wakes no one and the waitpoint keeps no payload
            #expect(try await store.sendEvent("go", payload: Fixture.json("1"), now: Fixture.at(60)).isEmpty)
            #expect(try await store.waitpoint("go-wait")?.payload == nil)
            // And the run, due at its timeout, learns that it timed out
            let woken = try #require(try await Fixture.claim(store, worker: "worker-b", now: 60).first)
            let resolution = try await store.awaitWaitpoint(waitpoint, lease: woken.lease, now: Fixture.at(60))
            guard case .timedOut = resolution else {
                Issue.record("expected .timedOut, got \(resolution)")
                return
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func theLastChildToSettleWakesItsParent(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a parent that triggered two children on a children waitpoint and waits on it
            let parent = try await Fixture.createAndClaim(store, worker: "worker-a", now: 0)
            let batch = Waitpoint(id: "batch-1", runID: parent.record.id, kind: .children, pendingChildren: 2, createdAt: Fixture.at(1))
            let children = (0..<2).map { index in
                Fixture.newRun(
                    created: 1 + TimeInterval(index), task: Fixture.otherTask, input: "\(index)", parentID: parent.record.id,
                    parentWaitpointID: "batch-1", batchIndex: index
                )
            }
            try await store.commit(RunTransition(newRuns: children, newWaitpoints: [batch]), lease: parent.lease, now: Fixture.at(2))
            let resolution = try await store.awaitWaitpoint(batch, lease: parent.lease, now: Fixture.at(2))
            guard case .suspended = resolution else {
                Issue.record("expected .suspended, got \(resolution)")
                return
            }
            #expect(try await store.run(parent.record.id)?.status == .waiting)
            // When the second child completes, the parent still waits
            let claimed = try await Fixture.claim(store, worker: "worker-b", now: 3, tasks: [Fixture.otherTask])
            #expect(Set(claimed.map(\.record.id)) == Set(children.map(\.id)))
            let first = try #require(claimed.first { $0.record.id == children[0].id })
            let second = try #require(claimed.first { $0.record.id == children[1].id })
            try await store.commit(RunTransition(change: .completed(output: Fixture.json(#""second""#))), lease: second.lease, now: Fixture.at(4))
            #expect(try await store.waitpoint("batch-1")?.pendingChildren == 1)
            #expect(try await Fixture.claim(store, worker: "worker-c", now: 5, tasks: [Fixture.task]).isEmpty)
            // When the first child fails, the batch completes and the parent is claimable
            try await store.commit(RunTransition(change: .failed(Fixture.boom)), lease: first.lease, now: Fixture.at(6))
            let waitpoint = try #require(try await store.waitpoint("batch-1"))
            #expect(waitpoint.status == .completed)
            #expect(waitpoint.pendingChildren == 0)
            let woken = try #require(try await Fixture.claim(store, worker: "worker-c", now: 6, tasks: [Fixture.task]).first)
            #expect(woken.record.id == parent.record.id)
            // And waiting again answers with the children in batch order
            let settled = try await store.awaitWaitpoint(batch, lease: woken.lease, now: Fixture.at(7))
            guard case .childrenSettled(let records) = settled else {
                Issue.record("expected .childrenSettled, got \(settled)")
                return
            }
            #expect(records.map(\.id) == children.map(\.id))
            #expect(records.map(\.status) == [.failed, .completed])
            #expect(records.last?.output == Fixture.json(#""second""#))
        }
    }

    @Test(arguments: TestStore.allCases)
    func anEmptyBatchIsSettledAtOnce(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let parent = try await Fixture.createAndClaim(store)
            let batch = Waitpoint(id: "empty", runID: parent.record.id, kind: .children, pendingChildren: 0, createdAt: Fixture.at(1))
            let resolution = try await store.awaitWaitpoint(batch, lease: parent.lease, now: Fixture.at(1))
            guard case .childrenSettled(let records) = resolution else {
                Issue.record("expected .childrenSettled, got \(resolution)")
                return
            }
            #expect(records.isEmpty)
            #expect(try await store.run(parent.record.id)?.status == .running)
        }
    }
}
