import PostgresNIO
import Synchronization

/// Lends the connections that running engines hold to `LISTEN` for work to single statements,
/// while no other statement is on them.
///
/// A statement on a lent connection skips the pool: no lease, no release, and no keep-alive
/// timer that the pool schedules when a connection goes idle and cancels when it is leased
/// again (measured: a third of the thread wake-ups of a sequential run). It adds no connection:
/// each running engine already holds one for as long as it runs.
///
/// A connection goes back to the pool only after ``lend(_:while:)`` has withdrawn it and its
/// statement in flight, if any, has finished, so no statement is ever sent on it once another
/// caller may have leased it (where it would run inside that caller's transaction).
final class ConnectionLender: Sendable {
    /// A connection borrowed by one statement; give it back with ``giveBack(_:)``.
    struct Loan: Sendable {
        let connection: PostgresConnection
        /// Runs the statement's task on the connection's event loop, where its I/O completes.
        let executor: EventLoopTaskExecutor
        fileprivate let number: Int
    }

    private struct Lendable {
        let connection: PostgresConnection
        let executor: EventLoopTaskExecutor
        /// The loan it is out on, if any.
        var loan: Int?
        var withdrawn = false
        /// Who waits for the loan to end before the connection leaves.
        var waiter: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var lendable: [Lendable] = []
        var nextLoan = 0
    }

    private let state = Mutex(State())

    /// Lends `connection` while `body` runs, then withdraws it and waits for its statement in
    /// flight (a closed connection is not waited for: nothing more can be sent on it).
    func lend<Value>(_ connection: PostgresConnection, while body: () async throws -> Value) async rethrows -> Value {
        state.withLock { $0.lendable.append(Lendable(connection: connection, executor: EventLoopTaskExecutor(connection.eventLoop))) }
        defer { state.withLock { state in state.lendable.removeAll { $0.connection === connection } } }
        do {
            let value = try await body()
            await withdraw(connection)
            return value
        } catch {
            await withdraw(connection)
            throw error
        }
    }

    /// An idle lent connection for one statement, or `nil` when every one is busy (or none is lent).
    func borrow() -> Loan? {
        state.withLock { state in
            guard let index = state.lendable.firstIndex(where: { $0.loan == nil && !$0.withdrawn && !$0.connection.isClosed }) else { return nil }
            state.nextLoan += 1
            state.lendable[index].loan = state.nextLoan
            let lendable = state.lendable[index]
            return Loan(connection: lendable.connection, executor: lendable.executor, number: state.nextLoan)
        }
    }

    /// Ends `loan`. Ending it twice is harmless.
    func giveBack(_ loan: Loan) {
        endLoan(loan, closing: false)
    }

    /// Ends `loan` and closes its connection, lent no more: for a statement that did not answer
    /// in time. The engine listening on it notices, and listens on a new connection.
    func close(_ loan: Loan) {
        endLoan(loan, closing: true)
    }

    private func endLoan(_ loan: Loan, closing: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let index = state.lendable.firstIndex(where: { $0.loan == loan.number }) else { return nil }
            if closing {
                state.lendable[index].withdrawn = true
                let _: EventLoopFuture<Void> = loan.connection.close()
            }
            state.lendable[index].loan = nil
            defer { state.lendable[index].waiter = nil }
            return state.lendable[index].waiter
        }
        waiter?.resume()
    }

    /// Stops lending `connection` and returns once its loan, if any, has ended.
    private func withdraw(_ connection: PostgresConnection) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waitsForLoan = state.withLock { state -> Bool in
                guard let index = state.lendable.firstIndex(where: { $0.connection === connection }) else { return false }
                state.lendable[index].withdrawn = true
                guard state.lendable[index].loan != nil, !connection.isClosed else { return false }
                state.lendable[index].waiter = continuation
                return true
            }
            if !waitsForLoan { continuation.resume() }
        }
    }
}
