import Foundation
public import Keel
public import Logging
public import PostgresNIO

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
    /// The channel workers `LISTEN` on for new work.
    static let workChannel = "keel_work"

    /// Opens the store on `client` (which must be running) and migrates its schema.
    /// - Throws: ``KeelError/Code/storeFailure`` when the database cannot be reached or migrated.
    public init(client: PostgresClient, logger: Logger = Logger(label: "keel.postgres")) async throws {
        self.client = client
        self.logger = logger
        try await migrate()
    }

    // MARK: Helpers

    /// Runs `work` in one transaction, turning database errors into ``KeelError/Code/storeFailure``.
    /// A transaction the server aborted to break a deadlock is run again (up to three times).
    func transaction<Value: Sendable>(_ what: String, _ work: (PostgresConnection) async throws -> Value) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await work(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as KeelError {
                throw error
            } catch let error as PSQLError where attempt < 3 && Self.retryableStates.contains(error.serverInfo?[.sqlState] ?? "") {
                attempt += 1
                logger.debug("transaction retried", metadata: ["keel.store.operation": .string(what), "error.message": .string(Self.describe(error))])
            } catch {
                throw Self.storeFailure(what, error)
            }
        }
    }

    /// Deadlock detected, serialization failure: the transaction did nothing and may run again.
    static let retryableStates: Set<String> = ["40P01", "40001"]

    /// Runs one statement outside a transaction and collects its rows.
    func query(_ what: String, _ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw Self.storeFailure(what, error)
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
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

extension RunStore where Self == PostgresRunStore {
    /// The PostgreSQL store on `client` (which must be running), migrated.
    public static func postgres(client: PostgresClient, logger: Logger = Logger(label: "keel.postgres")) async throws -> PostgresRunStore {
        try await PostgresRunStore(client: client, logger: logger)
    }
}
