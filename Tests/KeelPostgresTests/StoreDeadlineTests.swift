import Foundation
import Keel
@testable import KeelPostgres
import Synchronization
import Testing

/// A store operation that never gets its answer (postgres-nio drops a query written to a
/// connection the server just closed) fails after its deadline instead of hanging the run.
@Suite(.timeLimit(.minutes(1)))
struct StoreDeadlineTests {
    /// Continuations of operations that never answer, kept so they are not reported as leaked.
    static let unanswered = Mutex<[CheckedContinuation<Int, Never>]>([])

    @Test func anOperationThatNeverAnswersFailsWithStoreFailureAfterItsDeadline() async throws {
        let started = ContinuousClock.now
        let error = try await #require(throws: KeelError.self) {
            try await StoreDeadline.run("probe", timeout: .milliseconds(200)) {
                await withCheckedContinuation { continuation in Self.unanswered.withLock { $0.append(continuation) } }
            }
        }
        #expect(error.code == .storeFailure)
        #expect(error.message.contains("probe did not finish within"))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
    }

    @Test func anOperationThatAnswersInTimeReturnsItsValueAndItsError() async throws {
        let value = try await StoreDeadline.run("probe", timeout: .seconds(30)) { 42 }
        #expect(value == 42)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await StoreDeadline.run("probe", timeout: .seconds(30)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test func workRunsOnTheExecutorItIsGivenAndOnTheCooperativePoolOtherwise() async throws {
        // Given store calls made by a run's code, on a run thread
        let (statement, transaction) = try await Task(executorPreference: RunExecutor.shared) {
            (
                try await StoreDeadline.run("probe", timeout: .seconds(30), on: RunExecutor.preferenceOfCurrentThread) {
                    RunExecutor.isCurrentThreadARunThread
                },
                try await StoreDeadline.run("probe", timeout: .seconds(30)) { RunExecutor.isCurrentThreadARunThread }
            )
        }.value
        // Then a statement's work ran there too (no hop to the cooperative pool and back), and a
        // transaction's (which holds row locks across its awaits) on the cooperative pool
        #expect(statement)
        #expect(!transaction)
        // And a call from the cooperative pool stays off the run threads
        #expect(
            try await StoreDeadline.run("probe", timeout: .seconds(30), on: RunExecutor.preferenceOfCurrentThread) {
                RunExecutor.isCurrentThreadARunThread
            } == false
        )
    }

    @Test func theExpiryHandlerRunsOnceWhenTheDeadlinePassesAndNeverWhenTheWorkAnswers() async throws {
        let expiries = Atomic(0)
        _ = try await StoreDeadline.run("probe", timeout: .seconds(30), onExpiry: { expiries.add(1, ordering: .relaxed) }) { 1 }
        await #expect(throws: KeelError.self) {
            try await StoreDeadline.run("probe", timeout: .milliseconds(100), onExpiry: { expiries.add(1, ordering: .relaxed) }) {
                await withCheckedContinuation { continuation in Self.unanswered.withLock { $0.append(continuation) } }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(expiries.load(ordering: .relaxed) == 1)
    }
}
