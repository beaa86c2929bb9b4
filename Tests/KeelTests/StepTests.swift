import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct StepTests {
    /// The research-agent loop: the same step name called repeatedly.
    struct Loop: TaskDefinition {
        struct Input: Codable, Sendable { var turns: Int }
        struct Output: Codable, Sendable { var answers: [String] }
        static let name = "loop"
        let probe: Probe

        func run(input: Input, context: TaskContext) async throws -> Output {
            var answers: [String] = []
            for turn in 0..<input.turns {
                let answer = try await context.step("llm") {
                    probe.hit("llm")
                    return "answer-\(turn)"
                }
                answers.append(answer)
            }
            return Output(answers: answers)
        }
    }

    @Test(arguments: TestStore.allCases)
    func stepResultsAreJournaledInOrder(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Loop(probe: probe)]) { test in
            // Given a task that calls the step "llm" three times
            let run = try await test.trigger(Loop.self, input: .init(turns: 3))
            // When it completes
            let output = try await run.result()
            // Then each call ran once and its result is journaled at its own position
            #expect(output.answers == ["answer-0", "answer-1", "answer-2"])
            #expect(probe.count("llm") == 3)
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepCompleted, .stepCompleted, .stepCompleted])
            #expect(journal.map(\.position) == [0, 1, 2])
            #expect(journal.map(\.name) == ["llm", "llm", "llm"])
            #expect(journal.map { String(decoding: $0.payload ?? Data(), as: UTF8.self) } == ["\"answer-0\"", "\"answer-1\"", "\"answer-2\""])
            let record = try await run.record()
            #expect(record.status == .completed)
            #expect(record.startedAt != nil && record.finishedAt != nil)
        }
    }

    /// Three steps; the second blocks on its first attempt until the engine is killed.
    struct ThreeSteps: TaskDefinition {
        struct Output: Codable, Sendable { var values: [Int] }
        static let name = "three-steps"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Output {
            let a = try await context.step("a") { probe.hit("a") * 0 + input }
            let b = try await context.step("b") { () async throws -> Int in
                if probe.hit("b") == 1 { try await Task.sleep(for: .seconds(600)) }
                return a + 1
            }
            let c = try await context.step("c") { probe.hit("c") * 0 + b + 1 }
            return Output(values: [a, b, c])
        }
    }

    @Test(arguments: TestStore.allCases)
    func completedStepsDoNotRunAgainAfterRestart(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [ThreeSteps(probe: probe)]) { test in
            // Given a run killed while its second step is in flight
            let run = try await test.trigger(ThreeSteps.self, input: 10)
            try await eventually("step b to start") { probe.count("b") == 1 }
            try await test.restart()
            // When its lease expires and the new engine replays it
            await test.clock.advance(by: test.configuration.leaseDuration + .seconds(1))
            let output = try await run.result()
            // Then step a ran once, b (in flight at the crash) ran again, c ran once
            #expect(output.values == [10, 11, 12])
            #expect(probe.count("a") == 1)
            #expect(probe.count("b") == 2)
            #expect(probe.count("c") == 1)
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.name) == ["a", "b", "c"])
        }
    }

    struct RecordsValues: TaskDefinition {
        struct Output: Codable, Sendable, Equatable { var now: Date; var uuid: UUID; var random: Double }
        static let name = "records-values"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Output {
            let now = try await context.now()
            let uuid = try await context.uuid()
            let random = try await context.random()
            try await context.step("block") { () async throws -> Int in
                if probe.hit("block") == 1 { try await Task.sleep(for: .seconds(600)) }
                return 0
            }
            return Output(now: now, uuid: uuid, random: random)
        }
    }

    @Test(arguments: TestStore.allCases)
    func recordedValuesReplayUnchanged(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [RecordsValues(probe: probe)]) { test in
            let run = try await test.trigger(RecordsValues.self, input: 0)
            try await eventually("the blocking step") { probe.count("block") == 1 }
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.now, .uuid, .random])
            let recordedUUID = String(decoding: journal[1].payload!, as: UTF8.self)
            let recordedRandom = Double(String(decoding: journal[2].payload!, as: UTF8.self))
            let recordedNow = Int64(String(decoding: journal[0].payload!, as: UTF8.self))
            try await test.restart()
            await test.clock.advance(by: .seconds(3600))
            let output = try await run.result()
            // The replay returned the recorded values, not new ones, though the clock moved an hour.
            #expect(output.uuid.uuidString == recordedUUID)
            #expect(output.random == recordedRandom)
            #expect(Int64(output.now.timeIntervalSince1970 * 1000) == recordedNow)
        }
    }

    struct IdempotencyKeys: TaskDefinition {
        static let name = "idempotency-keys"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> [String] {
            var keys: [String] = []
            for index in 0..<2 {
                keys.append(
                    try await context.step("charge", retry: RetryPolicy(maximumAttempts: 3, initialDelay: .zero)) {
                        if probe.hit("charge-\(index)") == 1 { throw URLError(.timedOut) }
                        return context.idempotencyKey
                    })
            }
            keys.append(context.idempotencyKey)
            return keys
        }
    }

    @Test(arguments: TestStore.allCases)
    func idempotencyKeyIsStablePerStepAcrossAttempts(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [IdempotencyKeys(probe: probe)]) { test in
            let run = try await test.trigger(IdempotencyKeys.self, input: 0)
            let keys = try await run.result()
            #expect(keys == ["\(run.id)/0/charge", "\(run.id)/1/charge", run.id.rawValue])
        }
    }
}
