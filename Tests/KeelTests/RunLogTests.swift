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

    /// Sets metadata on its own copy of the run's logger, then logs.
    struct Tagging: TaskDefinition {
        static let name = "tagging"

        func run(input: String, context: TaskContext) async throws -> String {
            var logger = context.logger
            logger[metadataKey: "customer"] = .string(input)
            logger.info("charged")
            return input
        }
    }

    /// The engine's handler in these tests: records each line with the metadata a console
    /// handler prints (its own, then the line's).
    struct ForwardingRecorder: LogHandler {
        let lines: Recorder<(message: String, metadata: [String: String])>
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, line in line }
            lines.record((event.message.description, all.mapValues { "\($0)" }))
        }
    }

    @Test
    func linesReachTheEnginesHandlerWithTheRunsMetadata() async throws {
        let forwarded = Recorder<(message: String, metadata: [String: String])>()
        let logger = Logger(label: "keel-test") { _ in ForwardingRecorder(lines: forwarded) }
        try await withTestEngine(tasks: [Chatty(), Tagging()], logger: logger) { test in
            let chatty = try await test.trigger(Chatty.self, input: .init(lines: 1))
            _ = try await chatty.result()
            let tagging = try await test.trigger(Tagging.self, input: "c-1")
            _ = try await tagging.result()
            let workerID = test.engine.configuration.workerID

            let line = try #require(forwarded.all.first { $0.message == "line 1" })
            #expect(line.metadata == ["keel.run.id": chatty.id.rawValue, "keel.task.name": "chatty", "keel.worker.id": workerID, "index": "1"])
            #expect(!forwarded.all.contains { $0.message == "below the capture level" }, "the engine's level filters what it is handed")
            let charged = try #require(forwarded.all.first { $0.message == "charged" })
            #expect(charged.metadata == ["keel.run.id": tagging.id.rawValue, "keel.task.name": "tagging", "keel.worker.id": workerID, "customer": "c-1"])

            try await eventually("the stored line") { try await !test.engine.logs(of: tagging.id).isEmpty }
            let stored = try await test.engine.logs(of: tagging.id)
            #expect(stored.map(\.message) == ["charged"])
            #expect(stored.first?.metadata == ["customer": "c-1"], "the run's implicit keys are not repeated in its stored lines")
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
