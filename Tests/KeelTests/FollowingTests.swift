import Foundation
import Keel
import KeelSQLite
import Synchronization
import Testing

@Suite("Following a run", .timeLimit(.minutes(1)))
struct FollowingTests {
    static let waitForToken = ClosureTask("wait-for-token") { (_: Int, context: TaskContext) -> String in
        let token = try await context.createToken()
        return try await context.wait(for: token, as: String.self)
    }

    @Test func updatesListTheJournalInOrderAndEndWithTheOutcome() async throws {
        let engine = try KeelEngine(store: try SQLiteStoreFixture.temporary(), tasks: [Self.waitForToken])
        let service = Task { try await engine.run() }
        let run = try await engine.trigger(Self.waitForToken, input: 1)
        var updates = engine.updates(of: run.id, pollInterval: .milliseconds(50)).makeAsyncIterator()
        guard case .status = try await updates.next() else { throw FollowingError("the first update is not the status") }
        var kinds: [JournalEntry.Kind] = []
        while true {
            guard let update = try await updates.next() else { throw FollowingError("the stream ended before the run") }
            if case .entry(let entry) = update {
                kinds.append(entry.kind)
                if entry.kind == .tokenCreated, let payload = entry.payload {
                    let token = try JSONDecoder().decode(WaitToken.self, from: payload)
                    try await engine.completeToken(token.id, with: "approved")
                }
            }
            if case .finished(let record) = update {
                #expect(record.status == .completed)
                break
            }
        }
        #expect(kinds == [.tokenCreated, .waitCompleted])
        #expect(try await updates.next() == nil)
        service.cancel()
        try await service.value
    }

    @Test func updatesEndWhenTheEngineShutsDown() async throws {
        let engine = try KeelEngine(store: try SQLiteStoreFixture.temporary(), tasks: [Self.waitForToken])
        let service = Task { try await engine.run() }
        let run = try await engine.trigger(Self.waitForToken, input: 1)
        let seen = Mutex(0)
        let follower = Task {
            for try await update in engine.updates(of: run.id, pollInterval: .seconds(60)) {
                if case .finished = update { throw FollowingError("the run cannot finish: nobody completes its token") }
                seen.withLock { $0 += 1 }
            }
            return seen.withLock { $0 }
        }
        try await eventually("the follower's first update") { seen.withLock { $0 } >= 1 }
        service.cancel()  // graceful shutdown: the engine drains
        try await service.value
        // The follower's poll interval is a minute: it ends because the engine drained, at once.
        let started = ContinuousClock.now
        #expect(try await follower.value >= 1)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

struct FollowingError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
