import Keel
import Synchronization

/// Bounds how long one store operation may wait on PostgreSQL.
///
/// postgres-nio 1.33 writes a query to its channel without a write promise, so a query sent on
/// a connection the server has just closed (a restart, a failover) is dropped without its
/// result ever completing: the caller would wait forever, still holding the run's lease through
/// its heartbeats. Each operation therefore runs in its own task, and the caller gives up on it
/// after the deadline with ``KeelError/Code/storeFailure`` (the run then fails over like any
/// other lost write). The abandoned task stays suspended; only its few bytes are lost.
///
/// Deadlines are kept by one ``DeadlineWatchdog`` for the process, not by a timer task per
/// operation: an operation costs one task, and the watchdog runs only while operations do.
enum StoreDeadline {
    static let watchdog = DeadlineWatchdog()

    /// Runs `work`, or throws ``KeelError/Code/storeFailure`` when it has not finished after `timeout`.
    /// - Parameters:
    ///   - executor: where `work` runs; the cooperative pool when `nil`. A run thread (see
    ///     `RunExecutor`) suits one statement, whose answer then comes back to that thread; not a
    ///     transaction: it holds row locks across its awaits, and a run thread busy with other
    ///     runs (or a SQLite commit) must not keep other workers waiting on those locks.
    ///   - onExpiry: called once if the deadline passes first.
    static func run<Value: Sendable>(
        _ what: String, timeout: Duration, on executor: (any TaskExecutor)? = nil, onExpiry: (@Sendable () -> Void)? = nil,
        _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let outcome = Outcome<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.start(continuation, timeout: timeout, what: what, preference: executor, onExpiry: onExpiry, work: work)
            }
        } onCancel: {
            outcome.cancel()
        }
    }

    /// The first of the work's result and the deadline, delivered once.
    private final class Outcome<Value: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Value, any Error>?
            var worker: Task<Void, Never>?
            var deadline: DeadlineWatchdog.Token?
            var cancelled = false
        }

        private let state = Mutex(State())

        func start(
            _ continuation: CheckedContinuation<Value, any Error>, timeout: Duration, what: String, preference: (any TaskExecutor)?,
            onExpiry: (@Sendable () -> Void)?, work: @escaping @Sendable () async throws -> Value
        ) {
            // The worker and the deadline are registered before either can finish (finishing
            // takes the lock too).
            let cancelledAlready = state.withLock { state in
                state.continuation = continuation
                state.worker = Task(executorPreference: preference) {
                    let result: Result<Value, any Error>
                    do { result = .success(try await work()) } catch { result = .failure(error) }
                    self.finish(with: result)
                }
                state.deadline = StoreDeadline.watchdog.watch(until: .now + timeout) {
                    let failure = KeelError(.storeFailure, "PostgreSQL \(what) did not finish within \(timeout); the connection was probably lost")
                    if self.finish(with: .failure(failure)) { onExpiry?() }
                }
                return state.cancelled
            }
            if cancelledAlready { cancel() }
        }

        func cancel() {
            let worker = state.withLock { state in
                state.cancelled = true
                return state.worker
            }
            worker?.cancel()
        }

        /// Delivers `result` unless a result was delivered already; returns whether it was.
        @discardableResult
        private func finish(with result: Result<Value, any Error>) -> Bool {
            let (continuation, deadline, worker) = state.withLock { state in
                defer { state.continuation = nil }
                return (state.continuation, state.deadline, state.worker)
            }
            guard let continuation else { return false }
            if let deadline { StoreDeadline.watchdog.forget(deadline) }
            if case .failure = result { worker?.cancel() }
            continuation.resume(with: result)
            return true
        }
    }
}
