import Foundation
public import Keel
public import Logging
public import PostgresNIO
import NIOPosix

/// The store for many workers on many machines: runs, journals, waitpoints and schedules in
/// PostgreSQL, a database you already run, replicate and back up.
///
/// Workers claim due runs with `FOR UPDATE SKIP LOCKED` on a partial index, so a claim costs
/// O(log n) however many runs are waiting or finished, and wake each other with `LISTEN/NOTIFY`
/// (polling is the fallback). Every journal write checks the writer's lease in the same
/// transaction (fencing). The schema is migrated on first use, under an advisory lock, so several
/// workers may start at once.
///
/// The `PostgresClient` is yours to run, as with every postgres-nio user: add it to your
/// `ServiceGroup` (or `async let _ = client.run()`) before opening the store.
///
/// ```swift
/// let client = PostgresClient(configuration: try .init(url: "postgres://keel@db.internal/keel"))
/// async let _ = client.run()
/// let store = try await PostgresRunStore(client: client, logger: logger)
/// let engine = try KeelEngine(store: store, tasks: tasks, logger: logger)
/// ```
public final class PostgresRunStore: RunStore {
    /// The schema version this code writes (the number of migrations).
    public static let schemaVersion = PostgresRunStore.migrations.count

    let client: PostgresClient
    let logger: Logger
    /// The connections running engines listen on, lent to single statements.
    let lender = ConnectionLender()
    /// This store's requests for pooled connections that wait (the held connections yield to them).
    let poolPressure = PoolPressure()
    /// How long one store operation may wait on the database before it counts as failed.
    let operationTimeout: Duration
    /// How many connections a running engine holds besides the one it listens on, lent to
    /// single statements (see ``listenForWork(_:)``).
    let statementConnections: Int
    /// Steps' commits and runs' finishes, sent together under load (see ``CommitGroup``).
    let commitGroup: CommitGroup<GroupedCommit, GroupedCommitOutcome>
    /// Triggers' inserts, sent together under load (see ``CommitGroup``).
    let triggerGroup: CommitGroup<GroupedTrigger, RunRecord>
    /// Where runs' code executes: the event loops of the client's connections, each job on the
    /// loop where the answer it awaited arrived (a statement's, on its connection's loop), and its
    /// next statement on a connection of that loop when one is idle; `nil` (with
    /// `runsOnEventLoops: false`) for Keel's run threads.
    public let runExecutor: (any TaskExecutor)?
    /// The channel workers `LISTEN` on for new work.
    static let workChannel = "keel_work"

    /// Opens the store on `client` (which must be running) and migrates its schema.
    /// - Parameters:
    ///   - operationTimeout: how long one store operation (a transaction, a query) may wait on
    ///     the database before it fails with ``KeelError/Code/storeFailure``; a connection lost
    ///     mid-operation then costs at most this long. Keep it well above your slowest
    ///     transaction (a large batch trigger).
    ///   - statementConnections: how many of the pool's connections each running engine holds,
    ///     besides the one it listens on, for its single statements (a step's commit, a claim, a
    ///     trigger) to skip the pool. An engine holds `1 + statementConnections` connections while
    ///     it runs, and its transactions use the others: keep the pool's `maximumConnections`
    ///     (20 by default) at least 3 above that, or pass 0.
    ///   - runsOnEventLoops: whether runs' code executes on the event loops of the client's
    ///     connections, where their statements' answers arrive (see ``runExecutor``): two thread
    ///     hand-offs fewer per statement, but code that blocks its thread (a synchronous file
    ///     read, `sleep`, a semaphore) holds up those connections. Pass `false` for tasks that
    ///     block: their code then runs on Keel's run threads, which may block.
    /// - Throws: ``KeelError/Code/storeFailure`` when the database cannot be reached or migrated.
    public init(
        client: PostgresClient, logger: Logger = Logger(label: "keel.postgres"), operationTimeout: Duration = .seconds(30),
        statementConnections: Int = 2, runsOnEventLoops: Bool = true
    ) async throws {
        precondition(statementConnections >= 0, "statementConnections must not be negative")
        self.client = client
        self.logger = logger
        self.operationTimeout = operationTimeout
        self.statementConnections = statementConnections
        let lender = self.lender
        let runExecutor: (any TaskExecutor)? = runsOnEventLoops
            ? EventLoopRunExecutor(fallbackLoop: { lender.anyLoop ?? PostgresConnection.defaultEventLoopGroup.next() }) : nil
        self.runExecutor = runExecutor
        let here: @Sendable () -> (any TaskExecutor)? = { Self.executorHere(runExecutor) }
        self.commitGroup = CommitGroup(maximumInFlight: 2, maximumBatch: Self.maximumGroupedCommits, executorHere: here)
        self.triggerGroup = CommitGroup(maximumInFlight: 2, maximumBatch: Self.maximumGroupedCommits, executorHere: here)
        try await migrate()
    }

    // MARK: Helpers

    /// Runs `work` in one transaction, turning database errors into ``KeelError/Code/storeFailure``.
    /// A transaction the server aborted to break a deadlock is run again (up to three times).
    /// The whole transaction is bounded by ``operationTimeout`` (see `StoreDeadline`).
    /// `timeout` replaces it for an operation that may rightly wait longer (a migration waits
    /// for other workers' migrations).
    func transaction<Value: Sendable>(
        _ what: String, timeout: Duration? = nil, _ work: @escaping @Sendable (PostgresConnection) async throws -> Value
    ) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await StoreDeadline.run(what, timeout: timeout ?? operationTimeout) { [self, logger] in
                    try await withPooledConnection { connection in
                        try await connection.rows("BEGIN", logger: logger)
                        do {
                            let value = try await work(connection)
                            try await connection.rows("COMMIT", logger: logger)
                            return value
                        } catch {
                            _ = try? await connection.rows("ROLLBACK", logger: logger)
                            throw error
                        }
                    }
                }
            } catch let error as KeelError {
                throw error
            } catch let error as PSQLError where attempt < 3 && Self.isRetryable(error) {
                attempt += 1
                logger.debug("transaction retried", metadata: ["keel.store.operation": .string(what), "error.message": .string(Self.describe(error))])
            } catch {
                throw Self.storeFailure(what, error)
            }
        }
    }

    /// Deadlock detected, serialization failure: the transaction did nothing and may run again.
    static let retryableStates: Set<String> = ["40P01", "40001"]

    /// Whether the server refused `error`'s statement in a way that lets it run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        retryableStates.contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// Runs one statement outside a transaction and collects its rows.
    func query(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await outsideTransaction(what) { [logger] connection in try await connection.rows(query, logger: logger) }
    }

    /// Runs one prepared statement (see ``PreparedSQL``) outside a transaction and collects its rows.
    func query(_ what: String, _ statement: PreparedSQL) async throws -> [PostgresRow] {
        try await outsideTransaction(what) { [logger] connection in try await connection.rows(statement, logger: logger) }
    }

    /// Runs `statement` on a connection an engine lends while it listens (see ``ConnectionLender``),
    /// or when none is idle on a pooled one; bounded by ``operationTimeout``, with database errors
    /// turned into ``KeelError/Code/storeFailure``.
    private func outsideTransaction(
        _ what: String, _ statement: @escaping @Sendable (PostgresConnection) async throws -> [PostgresRow]
    ) async throws -> [PostgresRow] {
        do {
            if let loan = lender.borrow(on: MultiThreadedEventLoopGroup.currentEventLoop) {
                // A statement that does not answer in time has its connection closed, so that the
                // engine listening on it reconnects and the connection never goes back to the pool.
                return try await StoreDeadline.run(what, timeout: operationTimeout, on: loan.executor, onExpiry: { [lender] in lender.close(loan) }) {
                    [lender] in
                    defer { lender.giveBack(loan) }
                    return try await statement(loan.connection)
                }
            }
            // One statement holds no lock across awaits: its answer may come back to a run thread.
            return try await StoreDeadline.run(what, timeout: operationTimeout, on: Self.executorHere(runExecutor)) { [self] in
                try await withPooledConnection { connection in try await statement(connection) }
            }
        } catch {
            throw Self.storeFailure(what, error)
        }
    }

    /// Where a task should run to stay where its creator runs: on a run thread, or, when runs
    /// execute on event loops (`runExecutor`), on the current loop; else the cooperative pool.
    static func executorHere(_ runExecutor: (any TaskExecutor)?) -> (any TaskExecutor)? {
        if let runThreads = RunExecutor.preferenceOfCurrentThread { return runThreads }
        return MultiThreadedEventLoopGroup.currentEventLoop == nil ? nil : runExecutor
    }

    /// Runs `body` with a connection leased from the pool, the wait for it recorded in ``poolPressure``.
    func withPooledConnection<Value: Sendable>(_ body: (PostgresConnection) async throws -> Value) async throws -> Value {
        let wait = poolPressure.begin()
        defer { poolPressure.end(wait) }
        return try await client.withConnection { [poolPressure] connection in
            poolPressure.end(wait)
            return try await body(connection)
        }
    }

    static func storeFailure(_ what: String, _ error: any Error) -> KeelError {
        if let error = error as? KeelError { return error }
        let detail = (error as? PSQLError).map(describe) ?? "\(error)"
        return KeelError(.storeFailure, "PostgreSQL \(what) failed: \(detail)", underlying: error)
    }

    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        return "\(error.code)"
    }
}

extension PostgresConnection {
    /// Runs `query` and collects its rows.
    ///
    /// A connection the server already closed is refused here: postgres-nio would drop a query
    /// written to it and never answer (the remaining race is bounded by `StoreDeadline`).
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else { throw KeelError.connectionClosed }
        return try await self.query(query, logger: logger).collect()
    }
}

extension KeelError {
    /// A query refused because its connection was closed: postgres-nio would never answer it.
    static var connectionClosed: KeelError {
        KeelError(.storeFailure, "the PostgreSQL connection was closed (the server restarted or the network failed)")
    }
}

extension RunStore where Self == PostgresRunStore {
    /// The PostgreSQL store on `client` (which must be running), migrated.
    public static func postgres(client: PostgresClient, logger: Logger = Logger(label: "keel.postgres")) async throws -> PostgresRunStore {
        try await PostgresRunStore(client: client, logger: logger)
    }
}
