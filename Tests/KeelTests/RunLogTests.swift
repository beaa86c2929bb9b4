import Foundation
import Keel
import KeelTesting
import Logging
import Testing

@Suite(.timeLimit(.minutes(2)))
struct RunLogTests {
    /// Logs around its steps, at several levels.
    struct Chatty: TaskDefinition {
        struct Input: Codable, Sendable { var lines: Int }
        static let name = "chatty"

        func run(input: Input, context: TaskContext) async throws -> Int {
            context.logger.debug("below the capture level")
            for index in 1...input.lines {
                context.logger.info("line \(index)", metadata: ["index": .stringConvertible(index)])
                _ = try await context.step("step") { index }
            }
            context.logger.warning("done")
            return input.lines
        }
    }

    @Test(arguments: TestStore.allCases)
    func linesWrittenThroughTheContextLoggerAreStoredPerRun(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Chatty()]) { test in
            let first = try await test.trigger(Chatty.self, input: .init(lines: 3))
            let second = try await test.trigger(Chatty.self, input: .init(lines: 1))
            _ = try await first.result()
            _ = try await second.result()
            try await eventually("the last line of each run") {
                let firstDone = try await test.engine.logs(of: first.id).last?.message == "done"
                let secondDone = try await test.engine.logs(of: second.id).last?.message == "done"
                return firstDone && secondDone
            }
            let lines = try await test.engine.logs(of: first.id)
            #expect(lines.map(\.message) == ["line 1", "line 2", "line 3", "done"])
            #expect(lines.map(\.sequence) == [0, 1, 2, 3])
            #expect(lines.map(\.level) == [.info, .info, .info, .warning])
            #expect(lines[0].metadata == ["index": "1"])
            #expect(lines.allSatisfy { $0.runID == first.id })
            #expect(try await test.engine.logs(of: first.id, afterSequence: 1, limit: 1).map(\.message) == ["line 3"])
            #expect(try await test.engine.logs(of: second.id).map(\.message) == ["line 1", "done"])
            await #expect(throws: KeelError.self) { try await test.engine.logs(of: RunID("01a00000-0000-7000-8000-000000000000")) }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunKeepsAtMostItsLimitOfLines(store: TestStore) async throws {
        var configuration = KeelEngine.Configuration()
        configuration.maximumLogLinesPerRun = 5
        try await withTestEngine(store: store, tasks: [Chatty()], configuration: configuration) { test in
            let run = try await test.trigger(Chatty.self, input: .init(lines: 12))
            _ = try await run.result()
            try await Task.sleep(for: .milliseconds(50))
            let lines = try await test.engine.logs(of: run.id)
            #expect(lines.count == 5)
            #expect(lines.prefix(4).map(\.message) == ["line 1", "line 2", "line 3", "line 4"])
            #expect(lines.last?.level == .warning)
            #expect(lines.last?.message.contains("limit of 5 log lines") == true)
        }
    }

    @Test(arguments: TestStore.allCases)
    func runsAreFoundByIdempotencyKey(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Chatty()]) { test in
            var options = TriggerOptions()
            options.idempotencyKey = "order-7"
            let keyed = try await test.trigger(Chatty.self, input: .init(lines: 1), options: options)
            _ = try await test.trigger(Chatty.self, input: .init(lines: 1))
            #expect(try await test.engine.listRuns(RunQuery(idempotencyKey: "order-7")).map(\.id) == [keyed.id])
            #expect(try await test.engine.listRuns(RunQuery(idempotencyKey: "other")).isEmpty)
        }
    }
}
