import Synchronization
import Testing

import Keel
@testable import KeelPostgres
import NIOCore
import NIOPosix

/// ``CommitGroup``'s batching, with a sender that records its batches: a lone commit goes at
/// once and alone, commits arriving during a flight go together in the next, each caller gets
/// its own outcome (or the batch's error), and no more flights than allowed are in the air.
@Suite(.timeLimit(.minutes(1)))
struct CommitGroupTests {
    /// Permits handed out one per `release()`, to callers of `pass()` in order.
    final class Gate: Sendable {
        private struct State {
            var permits = 0
            var waiting: [CheckedContinuation<Void, Never>] = []
        }

        private let state = Mutex(State())

        func release() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard !state.waiting.isEmpty else {
                    state.permits += 1
                    return nil
                }
                return state.waiting.removeFirst()
            }
            waiter?.resume()
        }

        func pass() async {
            await withCheckedContinuation { continuation in
                let passes = state.withLock { state in
                    guard state.permits > 0 else {
                        state.waiting.append(continuation)
                        return false
                    }
                    state.permits -= 1
                    return true
                }
                if passes { continuation.resume() }
            }
        }
    }

    /// A sender that holds each batch until released, and records what it saw.
    final class Sender: Sendable {
        struct Seen: Sendable {
            var batches: [[Int]] = []
            var inFlight = 0
            var mostInFlight = 0
        }

        let seen = Mutex(Seen())
        let gate = Gate()
        let failing: Set<Int>

        init(failing: Set<Int> = []) {
            self.failing = failing
        }

        /// Lets one held batch land.
        func release() { gate.release() }

        struct Failure: Error, Equatable { let batch: [Int] }

        func send(_ items: [Int]) async throws -> [String] {
            seen.withLock { seen in
                seen.batches.append(items)
                seen.inFlight += 1
                seen.mostInFlight = max(seen.mostInFlight, seen.inFlight)
            }
            await gate.pass()
            seen.withLock { $0.inFlight -= 1 }
            // As a database client may: a cancelled task's query fails.
            if Task.isCancelled { throw CancellationError() }
            if items.contains(where: failing.contains) { throw Failure(batch: items) }
            return items.map { "done \($0)" }
        }

        var batches: [[Int]] { seen.withLock { $0.batches } }

        /// Waits until `count` batches were sent.
        func waitForBatches(_ count: Int) async {
            while seen.withLock({ $0.batches.count }) < count { await Task.yield() }
        }
    }

    typealias CommitTask = Task<String, any Error>

    /// Commits item 0, holds its flight, and queues `queued` behind it (each its own task).
    static func holdAFlight(
        queueing queued: ClosedRange<Int>, in group: CommitGroup<Int, String>, sender: Sender
    ) async -> (first: CommitTask, queued: [CommitTask]) {
        let first = Task { try await group.commit(0, send: sender.send) }
        await sender.waitForBatches(1)
        let tasks = queued.map { item in Task { try await group.commit(item, send: sender.send) } }
        while group.waitingCount < queued.count { await Task.yield() }
        return (first, tasks)
    }

    @Test func aBatchCarryingOthersCommitsIsSentFromARunThreadWhenItsLeaderRunsOnOne() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8)
        let sender = Sender()
        let sentFromRunThread = Mutex<[Bool]>([])
        let send: @Sendable ([Int]) async throws -> [String] = { items in
            sentFromRunThread.withLock { $0.append(RunExecutor.isCurrentThreadARunThread) }
            return try await sender.send(items)
        }
        // Given commits made by runs' code, on run threads, the later ones queued behind a flight
        let first = Task(executorPreference: RunExecutor.shared) { try await group.commit(0, send: send) }
        await sender.waitForBatches(1)
        let rest = (1...3).map { item in Task(executorPreference: RunExecutor.shared) { try await group.commit(item, send: send) } }
        while group.waitingCount < 3 { await Task.yield() }
        // When both flights land
        sender.release()
        sender.release()
        _ = try await first.value
        for task in rest { _ = try await task.value }
        // Then the batch sent for the others (from a task of its own) was sent from a run thread too
        #expect(sender.batches.count == 2)
        #expect(sentFromRunThread.withLock { $0 } == [true, true])
    }

    /// Two runs whose first commits are in the air together, on one thread (as on one event
    /// loop: jobs run in the order they were enqueued), each committing again (100 + its item)
    /// as soon as its first commit lands; a lone flight of 9 went before them. The group's own
    /// tasks run on that thread too, as the store's run on the loop they are created on.
    struct TwoRunsInTheAir {
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let oneThread: EventLoopRunExecutor
        let group: CommitGroup<Int, String>
        let sender = Sender()
        let held: CommitTask
        let runs: [CommitTask]

        init() async {
            let loop = loops.next()
            let oneThread = EventLoopRunExecutor(fallbackLoop: { loop })
            let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8, executorHere: { oneThread })
            let sender = self.sender
            self.group = group
            held = Task(executorPreference: oneThread) { try await group.commit(9, send: sender.send) }
            await sender.waitForBatches(1)
            runs = [0, 1].map { item in
                Task(executorPreference: oneThread) {
                    _ = try await group.commit(item, send: sender.send)
                    return try await group.commit(100 + item, send: sender.send)
                }
            }
            while group.waitingCount < 2 { await Task.yield() }
            sender.release()
            await sender.waitForBatches(2)
            self.oneThread = oneThread
        }

        /// Lets every flight land and checks every caller's outcome.
        func finish() async throws {
            for _ in 0..<3 { sender.release() }
            #expect(try await held.value == "done 9")
            for (index, run) in runs.enumerated() { #expect(try await run.value == "done \(100 + index)") }
            try await loops.shutdownGracefully()
        }
    }

    @Test func theNextFlightCarriesTheCommitsItsLandedCallersMakeNext() async throws {
        // Given two runs' commits in the air, and a third run's commit waiting behind them
        let air = await TwoRunsInTheAir()
        let third = Task(executorPreference: air.oneThread) { try await air.group.commit(2, send: air.sender.send) }
        while air.group.waitingCount < 1 { await Task.yield() }
        // When their flight lands
        air.sender.release()
        await air.sender.waitForBatches(3)
        // Then the third run's flight also carries the two runs' next commits, made as they resumed
        #expect(air.sender.batches == [[9], [0, 1], [2, 100, 101]])
        try await air.finish()
        #expect(try await third.value == "done 2")
    }

    @Test func aLandedFlightKeepsItsSlotForItsCallersNextCommits() async throws {
        // Given two runs' commits in the air, and no other commit waiting
        let air = await TwoRunsInTheAir()
        // When their flight lands
        air.sender.release()
        await air.sender.waitForBatches(3)
        // Then their next commits fly together, not the first alone and the other after it
        #expect(air.sender.batches == [[9], [0, 1], [100, 101]])
        try await air.finish()
    }

    @Test func aLoneCommitGoesAtOnceAndAlone() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8)
        let sender = Sender()
        sender.release()
        #expect(try await group.commit(7, send: sender.send) == "done 7")
        #expect(sender.batches == [[7]])
        #expect(group.sent == .init(batches: 1, items: 1))
    }

    @Test func commitsArrivingDuringAFlightGoTogetherInTheNext() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8)
        let sender = Sender()
        let (first, rest) = await Self.holdAFlight(queueing: 1...5, in: group, sender: sender)
        sender.release()
        #expect(try await first.value == "done 0")
        await sender.waitForBatches(2)
        sender.release()
        for (index, task) in rest.enumerated() { #expect(try await task.value == "done \(index + 1)") }
        #expect(sender.batches.count == 2)
        #expect(sender.batches[1].sorted() == [1, 2, 3, 4, 5])
        #expect(group.sent == .init(batches: 2, items: 6))
    }

    @Test func aBatchIsNeverLargerThanItsMaximum() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 2)
        let sender = Sender()
        let (first, rest) = await Self.holdAFlight(queueing: 1...5, in: group, sender: sender)
        for _ in 0..<4 { sender.release() }
        _ = try await first.value
        for task in rest { _ = try await task.value }
        #expect(sender.batches.map(\.count) == [1, 2, 2, 1])
    }

    @Test func aFailedBatchFailsEachOfItsCallersAndNoOther() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8)
        let sender = Sender(failing: [2])
        let (first, failing) = await Self.holdAFlight(queueing: 1...3, in: group, sender: sender)
        sender.release()
        sender.release()
        #expect(try await first.value == "done 0")
        for task in failing {
            await #expect(throws: Sender.Failure.self) { try await task.value }
        }
        // The group still works after a failure.
        sender.release()
        #expect(try await group.commit(9, send: sender.send) == "done 9")
    }

    @Test func aCancelledCallerLeadingABatchDoesNotFailTheOthersInIt() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 1, maximumBatch: 8)
        let sender = Sender()
        let (first, waiting) = await Self.holdAFlight(queueing: 1...3, in: group, sender: sender)
        // Whichever of them leads the next batch is cancelled, as a cancelled run's task is.
        for task in waiting { task.cancel() }
        sender.release()
        sender.release()
        #expect(try await first.value == "done 0")
        for (index, task) in waiting.enumerated() { #expect(try await task.value == "done \(index + 1)") }
    }

    @Test func noMoreFlightsThanAllowedAreInTheAir() async throws {
        let group = CommitGroup<Int, String>(maximumInFlight: 2, maximumBatch: 64)
        let sender = Sender()
        let tasks = (0..<40).map { item in Task { try await group.commit(item, send: sender.send) } }
        let releaser = Task {
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(1))
                sender.release()
            }
        }
        for (index, task) in tasks.enumerated() { #expect(try await task.value == "done \(index)") }
        releaser.cancel()
        #expect(sender.seen.withLock { $0.mostInFlight } == 2)
        #expect(sender.batches.flatMap { $0 }.sorted() == Array(0..<40))
    }
}
