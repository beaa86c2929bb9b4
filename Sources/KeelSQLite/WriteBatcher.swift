import Dispatch
import GRDB
import Keel
import Synchronization

/// Group commit: every write of the process goes through one writer that drains all pending
/// writes into a single transaction and completes each only after that transaction commits.
///
/// One run alone pays one commit per write; N runs writing at once pay about one commit per
/// round. A write that fails (a lost lease) is rolled back alone while the others in the batch
/// commit: the batch is then applied again with each write in its own savepoint (see
/// `commit(_:)`).
///
/// The writer never waits for more writes to gather: the writes that arrive while it commits
/// make the next batch. (Waiting for as many writes as the last batch held, up to that batch's
/// commit time, was measured slower on every concurrent scenario: the writer idled while the
/// resumed runs, on the other core, prepared their next writes one by one.)
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

    /// How many writes wait for the next batch (for tests).
    var pendingWrites: Int { state.withLock { $0.pending.count } }

    /// Runs `work` inside the next group transaction and returns its result once committed.
    ///
    /// A write from a run's code (on a run thread, see `RunExecutor`) that finds no commit under
    /// way is committed on that run thread, once the run's code has suspended: no thread is woken
    /// and the run goes on on the same thread. Any other caller is a task on Swift's cooperative
    /// pool, which has one thread per core: a commit held there would stall every task of the
    /// process for as long as the disk takes (it did, on a slow disk, for whole test runs), so its
    /// writes are committed on the writer's own thread.
    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = state.withLock { state -> Bool in
                state.pending.append(Write(work: work, continuation: continuation))
                defer { state.draining = true }
                return !state.draining
            }
            guard startDrain else { return }
            if !RunExecutor.runAfterCurrentJob({ self.commitOnRunThread() }) {
                queue.async { self.drain() }
            }
        }
    }

    /// Commits the pending writes once on the run thread that made the first of them; writes
    /// that arrived meanwhile go on to the writer's thread, so a run thread commits one batch at
    /// a time and goes back to running runs.
    private func commitOnRunThread() {
        let batch = nextBatch()
        if batch.isEmpty { return }
        commit(batch)
        for write in batch { write.complete() }
        let more = state.withLock { state -> Bool in
            if state.pending.isEmpty { state.draining = false }
            return state.draining
        }
        if more { queue.async { self.drain() } }
    }

    /// Takes up to `maximumBatch` pending writes; none left ends the drain.
    private func nextBatch() -> [any PendingWrite] {
        state.withLock { state -> [any PendingWrite] in
            if state.pending.isEmpty { state.draining = false }
            let count = min(maximumBatch, state.pending.count)
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
    }

    private func drain() {
        while true {
            let batch = nextBatch()
            if batch.isEmpty { return }
            commit(batch)
            for write in batch { write.complete() }
        }
    }

    /// Applies `batch` in one transaction.
    ///
    /// The writes are applied one after another with no savepoint of their own, and only if one
    /// of them fails is the transaction rolled back and the batch applied again with each write
    /// in its own savepoint, so that the failed one is undone alone. A failure is rare (a lost
    /// lease, which the writes check before they change anything), while a savepoint per write
    /// cost two more statements and SQLite's copy of every page the write first touched. A
    /// write may therefore run twice: the store's writes change nothing but the database.
    ///
    /// Transaction and savepoint statements are prepared once (cached), not parsed per commit.
    private func commit(_ batch: [any PendingWrite]) {
        do {
            try pool.writeWithoutTransaction { db in
                try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
                do {
                    if !batch.allSatisfy({ $0.apply(db, inSavepoint: false) }) {
                        if db.isInsideTransaction { try db.rollback() }
                        guard batch.count > 1 else { return }
                        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
                        for write in batch { _ = write.apply(db, inSavepoint: true) }
                    }
                    try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                } catch {
                    try? db.rollback()
                    throw error
                }
            }
        } catch {
            for write in batch { write.fail(error) }
        }
    }
}

private protocol PendingWrite: Sendable {
    /// Runs the write; returns whether it succeeded.
    func apply(_ db: Database, inSavepoint: Bool) -> Bool
    /// Records that the transaction failed to commit.
    func fail(_ error: any Error)
    /// Resumes the caller with the result.
    func complete()
}

/// One write and the caller to resume. Only the writer's thread touches `result`.
private final class Write<Value: Sendable>: PendingWrite, @unchecked Sendable {
    let work: @Sendable (Database) throws -> Value
    let continuation: CheckedContinuation<Value, any Error>
    var result: Result<Value, any Error>?

    init(work: @escaping @Sendable (Database) throws -> Value, continuation: CheckedContinuation<Value, any Error>) {
        self.work = work
        self.continuation = continuation
    }

    func apply(_ db: Database, inSavepoint: Bool) -> Bool {
        do {
            if inSavepoint {
                try db.cachedStatement(sql: "SAVEPOINT keel_write").execute()
                do {
                    result = .success(try work(db))
                } catch {
                    try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT keel_write").execute()
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT keel_write").execute()
                    throw error
                }
                try db.cachedStatement(sql: "RELEASE SAVEPOINT keel_write").execute()
            } else {
                result = .success(try work(db))
            }
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }

    func fail(_ error: any Error) {
        result = .failure(error)
    }

    /// Resumes the caller; a write never applied nor failed was cancelled.
    func complete() {
        continuation.resume(with: result ?? .failure(CancellationError()))
    }
}
