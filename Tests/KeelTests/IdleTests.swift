import Foundation
import Keel
import KeelSQLite
import Testing

@Suite("An idle engine", .timeLimit(.minutes(1)))
struct IdleTests {
    @Test func sleepsBetweenPollsInsteadOfSpinning() async throws {
        // Given an engine with nothing to do, polling every 100 ms
        let engine = try KeelEngine(
            configuration: .init(pollInterval: .milliseconds(100)),
            store: try SQLiteStoreFixture.temporary(),
            tasks: [ClosureTask("noop") { (_: Int, _: TaskContext) in 0 }]
        )
        let service = Task { try await engine.run() }
        // When a second passes
        try await Task.sleep(for: .milliseconds(200))
        let before = engine.claimPasses
        try await Task.sleep(for: .seconds(1))
        let passes = engine.claimPasses - before
        service.cancel()
        try await service.value
        // Then the claim loop went round at most about once per poll (fewer on a loaded machine), not thousands of times
        #expect(passes <= 30, "the claim loop went round \(passes) times in one idle second")
    }
}
