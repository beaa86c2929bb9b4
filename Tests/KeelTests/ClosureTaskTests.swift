import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ClosureTaskTests {
    @Test(arguments: TestStore.allCases)
    func aClosureTaskRunsUnderItsOwnName(store: TestStore) async throws {
        let probe = Probe()
        // Given a task written as a closure, with its own name and retry policy
        let greet = ClosureTask("greet", version: "2", retryPolicy: .init(maximumAttempts: 1)) { (name: String, context: TaskContext) in
            try await context.step("compose") {
                probe.hit("compose")
                return "Hello, \(name)!"
            }
        }
        try await withTestEngine(store: store, tasks: [greet]) { test in
            // When it is triggered both typed and by name
            let typed = try await test.engine.trigger(greet, input: "Ada")
            let byName = try await test.engine.trigger(taskName: "greet", input: Data(#""Grace""#.utf8))
            // Then both run its body, stored under its name and version
            #expect(try await typed.result() == "Hello, Ada!")
            #expect(try await test.engine.handle(for: byName, output: String.self).result() == "Hello, Grace!")
            let record = try await typed.record()
            #expect(record.taskName == "greet")
            #expect(record.taskVersion == "2")
            #expect(probe.count("compose") == 2)
            #expect(test.engine.taskNames == ["greet"])
        }
    }
}
