import Dispatch
import GRDB
import Synchronization

/// Group commit: every write of the process goes through one writer that drains all pending
/// writes into a single transaction and completes each only after that transaction commits.
///
/// One run alone pays one commit per write; N runs writing at once pay about one commit per
/// round. Each write runs in its own savepoint, so a write that fails (a lost lease) is rolled
/// back alone while the others in the batch commit.
final class WriteBatcher: Sendable {
    private let pool: DatabasePool
    private let queue = DispatchQueue(label: "keel.sqlite.writer")
    private let state = Mutex(State())
    private let maximumBatch: Int

    private struct State {
        var pending: [any PendingWrite] = []
        var draining = false
    }

    init(pool: DatabasePool, maximumBatch: Int = 512) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    /// Runs `work` inside the next group transaction and returns its result once committed.
    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = state.withLock { state in
                state.pending.append(Write(work: work, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if startDrain { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = state.withLock { state -> [any PendingWrite] in
                if state.pending.isEmpty {
                    state.draining = false
                    return []
                }
                let count = min(maximumBatch, state.pending.count)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            do {
                try pool.writeWithoutTransaction { db in
                    try db.inTransaction(.immediate) {
                        for write in batch { write.apply(db) }
                        return .commit
                    }
                }
                for write in batch { write.complete(commitError: nil) }
            } catch {
                for write in batch { write.complete(commitError: error) }
            }
        }
    }
}

private protocol PendingWrite: Sendable {
    func apply(_ db: Database)
    func complete(commitError: (any Error)?)
}

/// One write and its caller. Only the writer queue touches `result`.
private final class Write<Value: Sendable>: PendingWrite, @unchecked Sendable {
    let work: @Sendable (Database) throws -> Value
    let continuation: CheckedContinuation<Value, any Error>
    var result: Result<Value, any Error>?

    init(work: @escaping @Sendable (Database) throws -> Value, continuation: CheckedContinuation<Value, any Error>) {
        self.work = work
        self.continuation = continuation
    }

    func apply(_ db: Database) {
        do {
            var value: Value?
            try db.inSavepoint {
                value = try work(db)
                return .commit
            }
            result = .success(value!)
        } catch {
            result = .failure(error)
        }
    }

    func complete(commitError: (any Error)?) {
        if let commitError {
            continuation.resume(throwing: commitError)
        } else {
            continuation.resume(with: result ?? .failure(CancellationError()))
        }
    }
}
