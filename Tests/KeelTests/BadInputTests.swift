import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)), .tags(.badInput))
struct BadInputTests {
    struct Ship: TaskDefinition {
        struct Input: Codable, Sendable { var orderID: String; var amountCents: Int }
        static let name = "ship-order"
        let probe: Probe

        func run(input: Input, context: TaskContext) async throws -> Double {
            try await context.step(input.orderID == "nan" ? "bad-result" : "ok") {
                probe.hit("step")
                return input.orderID == "nan" ? Double.nan : 1.5
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func unknownTaskIsAClearErrorAndWritesNothing(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Ship(probe: Probe())]) { test in
            let error = try await #require(throws: KeelError.self) {
                try await test.engine.trigger(taskName: "ship-ordr", input: Data(#"{"orderID":"o","amountCents":1}"#.utf8))
            }
            #expect(error.code == .unknownTask)
            #expect(error.message == "unknown task 'ship-ordr'; registered: ship-order")
            #expect(try await test.engine.listRuns().isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"orderID": "o-1", "amountCents": 1"#, "input for task 'ship-order' does not decode: not valid JSON"),
        (#"{"orderID": "o-1"}"#, "input for task 'ship-order' does not decode: missing field 'amountCents'"),
        (#"{"orderID": "o-1", "amountCents": "ten"}"#, "input for task 'ship-order' does not decode: expected Int at 'amountCents'"),
    ])
    func inputThatDoesNotDecodeIsRejected(json: String, message: String) async throws {
        try await withTestEngine(tasks: [Ship(probe: Probe())]) { test in
            let error = try await #require(throws: KeelError.self) {
                try await test.engine.trigger(taskName: "ship-order", input: Data(json.utf8))
            }
            #expect(error.code == .invalidInput)
            #expect(error.message == message)
            #expect(try await test.engine.listRuns().isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func oversizedInputIsRejected(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Ship(probe: Probe())], configuration: .init(maximumPayloadBytes: 1024)) { test in
            let input = Ship.Input(orderID: String(repeating: "x", count: 2000), amountCents: 1)
            let error = try await #require(throws: KeelError.self) { try await test.trigger(Ship.self, input: input) }
            #expect(error.code == .payloadTooLarge)
            #expect(error.message.contains("over the limit of 1024 bytes"))
            #expect(try await test.engine.listRuns().isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func stepResultThatDoesNotEncodeFailsTheStepWithoutRetry(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Ship(probe: probe)]) { test in
            let run = try await test.trigger(Ship.self, input: .init(orderID: "nan", amountCents: 1))
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .failed)
            #expect(error.error?.message.contains("the result of step 'bad-result' cannot be encoded as JSON") == true)
            #expect(probe.count("step") == 1, "encoding will not succeed on retry")
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepFailed])
        }
    }

    @Test func duplicateTaskNamesAreRejected() throws {
        let error = #expect(throws: KeelError.self) {
            try KeelEngine(store: try SQLiteStoreFixture.temporary(), tasks: [Ship(probe: Probe()), Ship(probe: Probe())], logger: .keelTest)
        }
        #expect(error?.message == "two tasks are registered under the name 'ship-order'")
    }

    @Test func unknownRunIsAClearError() async throws {
        try await withTestEngine(tasks: [Ship(probe: Probe())]) { test in
            let error = try await #require(throws: KeelError.self) { try await test.engine.run("no-such-run") }
            #expect(error.code == .runNotFound)
            #expect(error.message == "no run with id 'no-such-run'")
        }
    }

    @Test(arguments: TestStore.allCases)
    func theJournalOfAnUnknownRunIsAClearErrorAndAQueuedRunsIsEmpty(store: TestStore) async throws {
        var configuration = KeelEngine.Configuration()
        configuration.concurrency = 1
        try await withTestEngine(store: store, tasks: [Ship(probe: Probe())], configuration: configuration) { test in
            let error = try await #require(throws: KeelError.self) { try await test.engine.journal("no-such-run") }
            #expect(error.code == .runNotFound)
            #expect(error.message == "no run with id 'no-such-run'")
            // A run that has not started exists with no entries.
            let later = try await test.engine.trigger(
                taskName: "ship-order", input: Data(#"{"orderID":"o","amountCents":1}"#.utf8), options: TriggerOptions(delay: .seconds(60))
            )
            #expect(try await test.engine.journal(later).isEmpty)
        }
    }
}
