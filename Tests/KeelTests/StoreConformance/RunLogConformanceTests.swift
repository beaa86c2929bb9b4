import Foundation
import Keel
import KeelTesting
import Logging
import Testing

/// Pins ``RunStore/appendRunLogs(_:maximumPerRun:)`` and ``RunStore/runLogs(_:afterSequence:limit:)``:
/// lines get each run's next sequence number, are read back in order and in pages, are capped
/// per run with a limit line, and lines of unknown runs are dropped.
@Suite(.timeLimit(.minutes(2)))
struct RunLogConformanceTests {
    @Test(arguments: TestStore.allCases)
    func linesAreNumberedPerRunAndReadBackInOrder(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let a = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let b = try await Fixture.create(Fixture.newRun(created: 1), in: store)
            // When lines of two runs are appended together, then more of the first (with sequences to ignore)
            try await store.appendRunLogs([Fixture.log(a.id, "a0", at: 1), Fixture.log(b.id, "b0", at: 1), Fixture.log(a.id, "a1", at: 2)], maximumPerRun: 100)
            var late = Fixture.log(a.id, "a2", at: 3)
            late.sequence = 42
            try await store.appendRunLogs([late], maximumPerRun: 100)
            // Then each run's lines are numbered from 0, oldest first, every field kept
            let linesA = try await store.runLogs(a.id, afterSequence: nil, limit: 100)
            #expect(linesA.map(\.message) == ["a0", "a1", "a2"])
            #expect(linesA.map(\.sequence) == [0, 1, 2])
            #expect(linesA.first?.level == .info)
            #expect(linesA.first?.metadata == ["k": "v"])
            #expect(linesA.first?.loggedAt == Fixture.at(1))
            #expect(linesA.allSatisfy { $0.runID == a.id })
            #expect(try await store.runLogs(b.id, afterSequence: nil, limit: 100).map(\.sequence) == [0])
            // And afterSequence and limit page through them
            #expect(try await store.runLogs(a.id, afterSequence: 0, limit: 100).map(\.message) == ["a1", "a2"])
            #expect(try await store.runLogs(a.id, afterSequence: nil, limit: 2).map(\.message) == ["a0", "a1"])
            #expect(try await store.runLogs(a.id, afterSequence: 1, limit: 1).map(\.message) == ["a2"])
            #expect(try await store.runLogs(a.id, afterSequence: 2, limit: 100).isEmpty)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunKeepsAtMostTheLimitWithTheLimitLineLast(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let run = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            // When five lines are appended to a run that keeps three, then one more
            try await store.appendRunLogs((0..<5).map { Fixture.log(run.id, "line \($0)", at: TimeInterval($0)) }, maximumPerRun: 3)
            try await store.appendRunLogs([Fixture.log(run.id, "later", at: 10)], maximumPerRun: 3)
            // Then it holds the first two lines, then the limit line in place of the third
            let lines = try await store.runLogs(run.id, afterSequence: nil, limit: 100)
            #expect(lines.count == 3)
            #expect(lines.map(\.sequence) == [0, 1, 2])
            #expect(lines.prefix(2).map(\.message) == ["line 0", "line 1"])
            let limit = RunLogLine.limitReached(runID: run.id, limit: 3, loggedAt: Fixture.at(2))
            #expect(lines.last?.message == limit.message)
            #expect(lines.last?.level == .warning)
        }
    }

    @Test(arguments: TestStore.allCases)
    func linesOfAnUnknownRunAreDropped(store kind: TestStore) async throws {
        try await kind.withStore { store in
            let known = try await Fixture.create(Fixture.newRun(created: 0), in: store)
            let unknown = RunID.make(at: Fixture.at(1))
            try await store.appendRunLogs([Fixture.log(unknown, "lost"), Fixture.log(known.id, "kept")], maximumPerRun: 10)
            #expect(try await store.runLogs(unknown, afterSequence: nil, limit: 10).isEmpty)
            #expect(try await store.runLogs(known.id, afterSequence: nil, limit: 10).map(\.message) == ["kept"])
        }
    }
}
