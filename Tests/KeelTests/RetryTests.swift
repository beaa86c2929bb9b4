import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)), .tags(.retries))
struct RetryTests {
    struct Flaky: TaskDefinition {
        struct Input: Codable, Sendable { var failures: Int; var delaySeconds: Int; var maximumAttempts: Int }
        static let name = "flaky"
        let probe: Probe

        struct Transient: Error, CustomStringConvertible { var attempt: Int; var description: String { "transient failure \(attempt)" } }

        func run(input: Input, context: TaskContext) async throws -> Int {
            let policy = RetryPolicy(maximumAttempts: input.maximumAttempts, initialDelay: .seconds(input.delaySeconds), backoffFactor: 2, jitter: 0)
            return try await context.step("call", retry: policy) {
                let attempt = probe.hit("call")
                if attempt <= input.failures { throw Transient(attempt: attempt) }
                return attempt
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func failedAttemptsAreJournaledAndRetriedWithBackoff(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Flaky(probe: probe)]) { test in
            let start = test.clock.now()
            let run = try await test.trigger(Flaky.self, input: .init(failures: 2, delaySeconds: 1, maximumAttempts: 5))
            try await eventually("the first retry wait") { test.clock.hasSleeper(until: start.addingTimeInterval(1)) }
            #expect(try await run.status() == .waiting)
            await test.clock.advance(by: .seconds(1))
            try await eventually("the second attempt") { probe.count("call") == 2 }
            // Its wait is measured from the clock when the attempt fails: moving the clock
            // before that would move the wait too.
            try await eventually("the second retry wait") { test.clock.hasSleeper(until: start.addingTimeInterval(1 + 2)) }
            await test.clock.advance(by: .seconds(2))
            #expect(try await run.result() == 3)
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepAttemptFailed, .stepAttemptFailed, .stepCompleted])
            #expect(journal.map(\.attempt) == [1, 2, 3])
            #expect(journal[0].error?.message == "transient failure 1")
            #expect(journal[0].wakeAt == start.addingTimeInterval(1))
            #expect(journal[1].wakeAt == start.addingTimeInterval(1 + 2))
        }
    }

    @Test(arguments: TestStore.allCases)
    func exhaustedRetriesFailTheRun(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Flaky(probe: probe)]) { test in
            let start = test.clock.now()
            let run = try await test.trigger(Flaky.self, input: .init(failures: 10, delaySeconds: 1, maximumAttempts: 2))
            try await eventually("the retry wait") { test.clock.hasSleeper(until: start.addingTimeInterval(1)) }
            await test.clock.advance(by: .seconds(1))
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .failed)
            #expect(error.error?.message == "step 'call' (position 0) failed after 2 attempts: transient failure 2")
            #expect(probe.count("call") == 2)
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepAttemptFailed, .stepFailed])
        }
    }

    @Test(arguments: TestStore.allCases)
    func longBackoffSuspendsTheRunDurably(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Flaky(probe: probe)]) { test in
            // A 10-minute backoff is over the 30 s in-memory threshold: the run is suspended.
            let run = try await test.trigger(Flaky.self, input: .init(failures: 1, delaySeconds: 600, maximumAttempts: 3))
            try await eventually("the run to suspend") {
                let record = try await run.record()
                return record.leaseOwner == nil && record.status == .waiting
            }
            // It survives a restart and is retried when the backoff ends.
            try await test.restart()
            await test.clock.advance(by: .seconds(599))
            #expect(probe.count("call") == 1)
            await test.clock.advance(by: .seconds(1))
            #expect(try await run.result() == 2)
            #expect(try await test.engine.journal(run.id).map(\.attempt) == [1, 2])
        }
    }

    struct InvalidCard: NonRetryableError {}

    struct Charge: TaskDefinition {
        static let name = "charge"
        static let retryPolicy = RetryPolicy(maximumAttempts: 5, initialDelay: .zero)
        let probe: Probe

        func run(input: String, context: TaskContext) async throws -> String {
            switch input {
            case "non-retryable-step":
                return try await context.step("charge") { () throws -> String in
                    probe.hit("charge")
                    throw InvalidCard()
                }
            case "abort":
                probe.hit("abort")
                throw AbortRunError("refused by reviewer")
            default:
                probe.hit("outside")
                throw URLError(.cannotConnectToHost)
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func nonRetryableErrorsFailAtOnce(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Charge(probe: probe)]) { test in
            let step = try await test.trigger(Charge.self, input: "non-retryable-step")
            let stepError = try await #require(throws: RunFailedError.self) { try await step.result() }
            #expect(stepError.error?.message.contains("failed after 1 attempt") == true)
            #expect(probe.count("charge") == 1)

            let abort = try await test.trigger(Charge.self, input: "abort")
            let abortError = try await #require(throws: RunFailedError.self) { try await abort.result() }
            #expect(abortError.error?.message == "refused by reviewer")
            #expect(abortError.error?.isRetryable == false)
            #expect(probe.count("abort") == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func errorsOutsideStepsRetryTheTaskByItsPolicy(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Charge(probe: probe)]) { test in
            let run = try await test.trigger(Charge.self, input: "outside")
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .failed)
            #expect(probe.count("outside") == 5, "the task's policy allows 5 attempts")
            let record = try await run.record()
            #expect(record.attempt == 5)
            #expect(try await test.engine.journal(run.id).filter { $0.kind == .runRetried }.count == 4)
        }
    }

    @Test func retryPolicyDelaysGrowAndAreCapped() {
        let policy = RetryPolicy(maximumAttempts: 10, initialDelay: .seconds(1), backoffFactor: 3, maximumDelay: .seconds(20), jitter: 0)
        #expect(policy.delay(afterAttempt: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 2) == .seconds(3))
        #expect(policy.delay(afterAttempt: 3) == .seconds(9))
        #expect(policy.delay(afterAttempt: 4) == .seconds(20))
        #expect(policy.allowsRetry(afterAttempt: 9))
        #expect(!policy.allowsRetry(afterAttempt: 10))
        let jittered = RetryPolicy(initialDelay: .seconds(10), jitter: 0.5)
        #expect(jittered.delay(afterAttempt: 1, unitRandom: 0) == .seconds(5))
        #expect(jittered.delay(afterAttempt: 1, unitRandom: 0.999_999) > .seconds(14.99))
    }
}
