import Foundation
import Keel
import KeelTesting
import Testing

/// Waitpoint tokens and events: a run waits without a slot until something outside completes
/// its token or sends its event, or until the wait times out.
@Suite(.timeLimit(.minutes(2)))
struct WaitpointTests {
    struct Decision: Codable, Sendable, Equatable {
        var approved: Bool
        var reviewer: String
    }

    /// Creates a token, hands its id out through a step, optionally sleeps, then waits on it.
    struct Approval: TaskDefinition {
        struct Input: Codable, Sendable {
            var timeoutSeconds: Int?
            var sleepSecondsBeforeWait: Int?
        }
        enum Output: Codable, Sendable, Equatable {
            case decided(Decision)
            case timedOut(at: Date?)
        }
        static let name = "approval"
        let probe: Probe
        let tokens: Recorder<String>

        func run(input: Input, context: TaskContext) async throws -> Output {
            probe.hit("body")
            let token = try await context.createToken(timeout: input.timeoutSeconds.map { .seconds($0) })
            try await context.step("send-request") {
                probe.hit("send-request")
                tokens.record(token.id)
            }
            if let seconds = input.sleepSecondsBeforeWait {
                try await context.sleep(for: .seconds(seconds))
            }
            do {
                return .decided(try await context.wait(for: token, as: Decision.self))
            } catch let timeout as WaitTimeoutError {
                return .timedOut(at: timeout.timeoutAt)
            }
        }
    }

    struct Quick: TaskDefinition {
        static let name = "quick"
        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("double") { input * 2 }
        }
    }

    struct Blocker: TaskDefinition {
        static let name = "blocker"
        let probe: Probe
        let gate: Gate

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("blocked") {
                probe.hit("blocked")
                try await gate.wait()
                return input
            }
        }
    }

    struct Payment: Codable, Sendable, Equatable {
        var cents: Int
    }

    /// Waits for the event `order.paid`.
    struct AwaitPayment: TaskDefinition {
        enum Output: Codable, Sendable, Equatable {
            case paid(Payment)
            case timedOut(at: Date?)
        }
        static let name = "await-payment"

        func run(input: Int?, context: TaskContext) async throws -> Output {
            do {
                let payment = try await context.waitForEvent("order.paid", as: Payment.self, timeout: input.map { .seconds($0) })
                return .paid(payment)
            } catch let timeout as WaitTimeoutError {
                return .timedOut(at: timeout.timeoutAt)
            }
        }
    }

    // MARK: Tokens

    @Test(arguments: TestStore.allCases)
    func completingATokenResumesTheRunWithThePayload(store: TestStore) async throws {
        let probe = Probe()
        let tokens = Recorder<String>()
        // One slot: if the waiting run held it, the quick run could not start.
        try await withTestEngine(store: store, tasks: [Approval(probe: probe, tokens: tokens), Quick()], configuration: .init(concurrency: 1)) { test in
            let run = try await test.trigger(Approval.self, input: .init())
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)
            #expect(try await run.record().leaseOwner == nil, "a run waiting on a token holds no lease")
            let pending = try await test.engine.waitpoint(tokenID)
            #expect(pending.status == .pending)
            #expect(pending.kind == .token)
            #expect(pending.runID == run.id)

            // The waiting run holds no slot: another run completes meanwhile.
            #expect(try await test.trigger(Quick.self, input: 21).result() == 42)
            #expect(try await run.status() == .waiting)

            let completed = try await test.engine.completeToken(tokenID, with: Decision(approved: true, reviewer: "ana"))
            #expect(completed.status == .completed)
            #expect(try await run.result() == .decided(Decision(approved: true, reviewer: "ana")))
            #expect(tokens.all == [tokenID], "the replay returned the journaled token, not a new one")
            #expect(probe.count("send-request") == 1)
            #expect(probe.count("body") == 2, "the body was replayed once after the wait")

            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.tokenCreated, .stepCompleted, .waitCompleted])
            let journaledToken = try JSONDecoder().decode(WaitToken.self, from: try #require(journal.first?.payload))
            #expect(journaledToken.id == tokenID)
            #expect(journaledToken.callbackPath == "/api/v1/tokens/\(tokenID)/complete")
        }
    }

    @Test(arguments: TestStore.allCases)
    func completingATokenTwiceOrAnUnknownTokenIsAClearError(store: TestStore) async throws {
        let tokens = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Approval(probe: Probe(), tokens: tokens)]) { test in
            let run = try await test.trigger(Approval.self, input: .init())
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)

            let notJSON = try await #require(throws: KeelError.self) { try await test.engine.completeToken(tokenID, payload: Data("yes".utf8)) }
            #expect(notJSON.code == .invalidInput)
            #expect(try await test.engine.waitpoint(tokenID).status == .pending, "a rejected payload does not complete the token")

            try await test.engine.completeToken(tokenID, with: Decision(approved: false, reviewer: "bo"))
            let twice = try await #require(throws: KeelError.self) {
                try await test.engine.completeToken(tokenID, with: Decision(approved: true, reviewer: "mallory"))
            }
            #expect(twice.code == .invalidState)
            #expect(twice.message.contains("already completed"))
            #expect(try await run.result() == .decided(Decision(approved: false, reviewer: "bo")), "the first completion wins")
            #expect(try await test.engine.waitpoint(tokenID).payload.map { try JSONDecoder().decode(Decision.self, from: $0) } == Decision(approved: false, reviewer: "bo"))

            let unknown = try await #require(throws: KeelError.self) { try await test.engine.completeToken("tok_nope", with: Decision(approved: true, reviewer: "x")) }
            #expect(unknown.code == .tokenNotFound)
            let lookup = try await #require(throws: KeelError.self) { try await test.engine.waitpoint("tok_nope") }
            #expect(lookup.code == .tokenNotFound)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTokenThatTimesOutThrowsWaitTimeoutErrorAndCannotBeCompletedAfter(store: TestStore) async throws {
        let tokens = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Approval(probe: Probe(), tokens: tokens)]) { test in
            let start = test.clock.now()
            let run = try await test.trigger(Approval.self, input: .init(timeoutSeconds: 60))
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)
            #expect(try await run.record().wakeAt == start.addingTimeInterval(60), "the run is due again when its token times out")

            // Before the timeout, the run keeps waiting.
            await test.clock.advance(by: .seconds(30))
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await run.status() == .waiting)

            await test.clock.advance(by: .seconds(30))
            #expect(try await run.result() == .timedOut(at: start.addingTimeInterval(60)))
            #expect(try await test.engine.journal(run.id).map(\.kind) == [.tokenCreated, .stepCompleted, .waitTimedOut])
            #expect(try await test.engine.waitpoint(tokenID).status == .timedOut)

            let late = try await #require(throws: KeelError.self) { try await test.engine.completeToken(tokenID, with: Decision(approved: true, reviewer: "late")) }
            #expect(late.code == .invalidState)
            #expect(late.message.contains("timed out"))
        }
    }

    @Test(arguments: TestStore.allCases)
    func completingATimedOutTokenBeforeTheRunNoticesIsAnError(store: TestStore) async throws {
        // One slot, held by a gated run: the run whose token timed out cannot be claimed yet,
        // so only the token's own deadline can make the late completion fail.
        let probe = Probe()
        let gate = Gate()
        let tokens = Recorder<String>()
        let tasks: [any TaskDefinition] = [Approval(probe: probe, tokens: tokens), Blocker(probe: probe, gate: gate)]
        try await withTestEngine(store: store, tasks: tasks, configuration: .init(concurrency: 1)) { test in
            let run = try await test.trigger(Approval.self, input: .init(timeoutSeconds: 60))
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)
            let blocker = try await test.trigger(Blocker.self, input: 1)
            try await eventually("the blocker to hold the slot") { probe.count("blocked") == 1 }
            await test.clock.advance(by: .seconds(61))
            let late = try await #require(throws: KeelError.self) { try await test.engine.completeToken(tokenID, with: Decision(approved: true, reviewer: "late")) }
            #expect(late.code == .invalidState)
            #expect(try await run.status() == .waiting, "the run has not noticed the timeout yet")
            gate.open()
            #expect(try await blocker.result() == 1)
            #expect(try await run.result() == .timedOut(at: test.clock.now()), "the late completion did not resume the run with its payload")
        }
    }

    @Test(arguments: TestStore.allCases, [5, 3600])
    func aTokenCompletedBeforeTheRunWaitsIsNotLost(store: TestStore, sleepSeconds: Int) async throws {
        let tokens = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Approval(probe: Probe(), tokens: tokens)]) { test in
            // The run creates its token, then sleeps (in memory for 5 s, suspended for an hour)
            let start = test.clock.now()
            let run = try await test.trigger(Approval.self, input: .init(sleepSecondsBeforeWait: sleepSeconds))
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)
            #expect(try await run.record().wakeAt == start.addingTimeInterval(TimeInterval(sleepSeconds)), "the run sleeps; it does not wait on the token yet")
            // The token is completed during the sleep
            try await test.engine.completeToken(tokenID, with: Decision(approved: true, reviewer: "early"))
            #expect(try await run.status() == .waiting, "completing the token does not cut the sleep short")
            // After the sleep, the wait returns the payload at once
            await test.clock.advance(by: .seconds(sleepSeconds))
            #expect(try await run.result() == .decided(Decision(approved: true, reviewer: "early")))
            #expect(try await test.engine.journal(run.id).map(\.kind) == [.tokenCreated, .stepCompleted, .sleep, .waitCompleted])
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTokenCompletedWhileTheEngineIsDownIsSeenAfterRestart(store: TestStore) async throws {
        let probe = Probe()
        let tokens = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Approval(probe: probe, tokens: tokens)]) { test in
            let run = try await test.trigger(Approval.self, input: .init())
            try await test.waitUntil(run.id, is: .waiting)
            let tokenID = try #require(tokens.last)
            // The engine dies; another process (here, an engine that is not running) completes the token.
            await test.crash()
            let other = try KeelEngine(store: test.store, tasks: test.tasks, clock: test.clock, logger: .keelTest)
            try await other.completeToken(tokenID, with: Decision(approved: true, reviewer: "offline"))
            #expect(try await test.store.run(run.id)?.status == .waiting, "no engine ran it meanwhile")
            // A new engine starts and continues the run with the payload.
            try test.start()
            await test.clock.advance(by: test.configuration.leaseDuration)
            let output = try await test.engine.handle(for: run.id, output: Approval.Output.self).result()
            #expect(output == .decided(Decision(approved: true, reviewer: "offline")))
            #expect(probe.count("send-request") == 1)
            #expect(tokens.all == [tokenID])
        }
    }

    // MARK: Events

    @Test(arguments: TestStore.allCases)
    func sendEventWakesEveryRunWaitingForItWithThePayload(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [AwaitPayment()]) { test in
            #expect(try await test.engine.sendEvent("order.paid", with: Payment(cents: 1)).isEmpty, "nobody waits yet")
            let first = try await test.trigger(AwaitPayment.self, input: 3600)
            let second = try await test.trigger(AwaitPayment.self, input: nil)
            try await test.waitUntil(first.id, is: .waiting)
            try await test.waitUntil(second.id, is: .waiting)
            #expect(try await first.record().leaseOwner == nil)

            #expect(try await test.engine.sendEvent("order.shipped", with: Payment(cents: 2)).isEmpty, "another event wakes no one")
            let woken = try await test.engine.sendEvent("order.paid", with: Payment(cents: 1999))
            #expect(Set(woken) == [first.id, second.id])
            #expect(try await first.result() == .paid(Payment(cents: 1999)))
            #expect(try await second.result() == .paid(Payment(cents: 1999)))
            #expect(try await test.engine.journal(first.id).map(\.kind) == [.waitCompleted])
            #expect(try await test.engine.sendEvent("order.paid", with: Payment(cents: 3)).isEmpty, "the runs no longer wait")
        }
    }

    @Test(arguments: TestStore.allCases)
    func anEventWaitTimesOutWithWaitTimeoutError(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [AwaitPayment()]) { test in
            let start = test.clock.now()
            let run = try await test.trigger(AwaitPayment.self, input: 60)
            try await test.waitUntil(run.id, is: .waiting)
            await test.clock.advance(by: .seconds(60))
            #expect(try await run.result() == .timedOut(at: start.addingTimeInterval(60)))
            #expect(try await test.engine.journal(run.id).map(\.kind) == [.waitTimedOut])
            #expect(try await test.engine.sendEvent("order.paid", with: Payment(cents: 1)).isEmpty, "a timed-out wait takes no event")
        }
    }

    @Test(arguments: TestStore.allCases)
    func anUncaughtWaitTimeoutFailsTheRunWithoutRetry(store: TestStore) async throws {
        let probe = Probe()
        let strict = ClosureTask<Int, String>("strict-payment") { _, context in
            probe.hit("body")
            let payment = try await context.waitForEvent("order.paid", as: Payment.self, timeout: .seconds(10))
            return "paid \(payment.cents)"
        }
        try await withTestEngine(store: store, tasks: [strict]) { test in
            let run = try await test.engine.trigger(strict, input: 0)
            try await test.waitUntil(run.id, is: .waiting)
            await test.clock.advance(by: .seconds(10))
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .failed)
            #expect(error.error?.message.contains("the wait for event order.paid timed out") == true)
            #expect(probe.count("body") == 2, "not retried: the replay would time out again")
        }
    }
}
