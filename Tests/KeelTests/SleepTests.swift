import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct SleepTests {
    struct Nap: TaskDefinition {
        struct Input: Codable, Sendable { var seconds: Int }
        struct Output: Codable, Sendable { var rested: Bool; var wokeAt: Date }
        static let name = "nap"
        let probe: Probe

        func run(input: Input, context: TaskContext) async throws -> Output {
            probe.hit("body")
            try await context.step("before") { probe.hit("before") }
            try await context.sleep(for: .seconds(input.seconds))
            let wokeAt = try await context.step("after") { () -> Date in
                probe.hit("after")
                return Date()
            }
            return Output(rested: true, wokeAt: wokeAt)
        }
    }

    @Test(arguments: TestStore.allCases)
    func longSleepSuspendsAndResumesAfterRestart(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Nap(probe: probe)]) { test in
            // Given a run sleeping two hours (past the in-memory threshold)
            let run = try await test.trigger(Nap.self, input: .init(seconds: 7200))
            try await eventually("the run to wait") { try await run.status() == .waiting }
            let waiting = try await run.record()
            #expect(waiting.leaseOwner == nil, "a long sleep gives its lease and slot back")
            #expect(waiting.wakeAt == test.clock.now().addingTimeInterval(7200))
            // When the process restarts and the two hours pass
            try await test.restart()
            await test.clock.advance(by: .seconds(7200))
            // Then another engine replays the run and it finishes; "before" did not run again
            #expect(try await run.result().rested)
            #expect(probe.count("before") == 1)
            #expect(probe.count("after") == 1)
            #expect(probe.count("body") == 2, "the body was replayed once")
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepCompleted, .sleep, .stepCompleted])
        }
    }

    @Test(arguments: TestStore.allCases)
    func shortSleepContinuesInMemoryWithoutReplay(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Nap(probe: probe)]) { test in
            let run = try await test.trigger(Nap.self, input: .init(seconds: 5))
            try await eventually("the run to wait") { try await run.status() == .waiting }
            let waiting = try await run.record()
            #expect(waiting.leaseOwner == test.engine.configuration.workerID, "a short sleep keeps the run and its lease here")
            await test.clock.advance(by: .seconds(5))
            #expect(try await run.result().rested)
            #expect(probe.count("body") == 1, "the body was not replayed")
        }
    }

    @Test(arguments: TestStore.allCases)
    func sleepingRunsDoNotHoldSlots(store: TestStore) async throws {
        let probe = Probe()
        // One slot: if a sleeper held it, the second run could not start.
        try await withTestEngine(store: store, tasks: [Nap(probe: probe)], configuration: .init(concurrency: 1)) { test in
            let first = try await test.trigger(Nap.self, input: .init(seconds: 10))
            let second = try await test.trigger(Nap.self, input: .init(seconds: 10))
            try await eventually("both runs to sleep") {
                let statuses = [try await first.status(), try await second.status()]
                return statuses == [.waiting, .waiting]
            }
            await test.clock.advance(by: .seconds(10))
            #expect(try await first.result().rested)
            #expect(try await second.result().rested)
        }
    }

    struct SleepUntil: TaskDefinition {
        static let name = "sleep-until"
        func run(input: Date, context: TaskContext) async throws -> Date {
            try await context.sleep(until: input)
            return try await context.now()
        }
    }

    @Test(arguments: TestStore.allCases)
    func sleepUntilAPastDateReturnsAtOnce(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [SleepUntil()]) { test in
            let past = test.clock.now().addingTimeInterval(-60)
            let woke = try await test.trigger(SleepUntil.self, input: past).result()
            #expect(abs(woke.timeIntervalSince(test.clock.now())) < 0.01)
        }
    }
}

/// The example of the README's "Testing your tasks" section, kept true.
@Suite(.timeLimit(.minutes(2)))
struct ReadmeTestingExample {
    struct Reminder: TaskDefinition {
        struct Input: Codable, Sendable { var days: Int }
        enum Output: String, Codable, Sendable { case sent }
        static let name = "reminder"

        func run(input: Input, context: TaskContext) async throws -> Output {
            try await context.sleep(for: .seconds(input.days * 86_400))
            return try await context.step("send") { Output.sent }
        }
    }

    @Test
    func aThreeDayReminderIsSentWhenTheClockSkipsThreeDays() async throws {
        try await withTestEngine(tasks: [Reminder()]) { test in
            let run = try await test.trigger(Reminder.self, input: .init(days: 3))
            try await test.waitUntil(run.id, is: .waiting)
            await test.clock.advance(by: .seconds(3 * 86_400))
            #expect(try await run.result() == .sent)
        }
    }
}
