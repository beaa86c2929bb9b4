import PostgresNIO
import Synchronization

/// Lends the connections that running engines hold (the one each listens on for work, and a few
/// more) to single statements, while no other statement is on them.
///
/// A statement on a lent connection skips the pool: no lease, no release, and no keep-alive and
/// idle timers that the pool schedules (a task group of three tasks each) when a connection goes
/// idle and cancels when it is leased again (measured: a third of the thread wake-ups of a
/// sequential run, 5 % of the client's CPU with many runs at once). The connection an engine
/// listens on is lent first, the others when it is busy.
///
/// A connection goes back to the pool only after ``lend(_:preferred:while:)`` has withdrawn it and its
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
        /// The preferred first.
        var lendable: [Lendable] = []
        var nextLoan = 0
    }

    private let state = Mutex(State())

    /// Lends `connection` while `body` runs, then withdraws it and waits for its statement in
    /// flight (a closed connection is not waited for: nothing more can be sent on it).
    /// - Parameter preferred: whether statements take it before the others when it is idle.
    func lend<Value>(_ connection: PostgresConnection, preferred: Bool = false, while body: () async throws -> Value) async rethrows -> Value {
        state.withLock { state in
            let lendable = Lendable(connection: connection, executor: EventLoopTaskExecutor(connection.eventLoop))
            if preferred { state.lendable.insert(lendable, at: 0) } else { state.lendable.append(lendable) }
        }
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
    /// - Parameter loop: the caller's event loop, if any: a connection of that loop is lent
    ///   first, so that the statement's answer comes back to the caller's thread.
    func borrow(on loop: (any EventLoop)? = nil) -> Loan? {
        state.withLock { state in
            func idle(_ lendable: Lendable) -> Bool { lendable.loan == nil && !lendable.withdrawn && !lendable.connection.isClosed }
            let sameLoop = loop.flatMap { loop in state.lendable.firstIndex { idle($0) && $0.connection.eventLoop === loop } }
            guard let index = sameLoop ?? state.lendable.firstIndex(where: idle) else { return nil }
            state.nextLoan += 1
            state.lendable[index].loan = state.nextLoan
            let lendable = state.lendable[index]
            return Loan(connection: lendable.connection, executor: lendable.executor, number: state.nextLoan)
        }
    }

    /// The event loop of a lent connection (the preferred first), or `nil` when none is lent.
    var anyLoop: (any EventLoop)? {
        state.withLock { state in state.lendable.first { !$0.withdrawn && !$0.connection.isClosed }?.connection.eventLoop }
    }

    /// How many loans were made so far.
    var loansMade: Int { state.withLock { $0.nextLoan } }

    /// How many connections are lent now (idle or out on a loan).
    var lentConnections: Int {
        state.withLock { state in state.lendable.count { !$0.withdrawn && !$0.connection.isClosed } }
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
