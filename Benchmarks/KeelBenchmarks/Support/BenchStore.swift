import Foundation
import Keel
import KeelPostgres
import KeelSQLite
import Logging
import PostgresNIO

/// Where a benchmark's runs live. Every use gets a fresh store: a new SQLite file in a new
/// directory, or a new PostgreSQL schema, removed afterwards.
enum BenchStore: Sendable {
    /// A SQLite file in WAL mode with `durability`, under `directory`.
    case sqlite(durability: SQLiteRunStore.Configuration.Durability, directory: URL)
    /// A schema of its own in the PostgreSQL database at `url`.
    case postgres(url: String)

    /// What a scenario may want to know about the fresh store it was given.
    struct Fresh: Sendable {
        /// The store.
        var store: any RunStore
        /// Counts commits, when the store allows it (SQLite).
        var commits: SQLiteCommitCounter?
    }

    /// The store's name in reports: `sqlite` or `postgres`.
    var name: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }

    /// The same store with another SQLite durability (PostgreSQL is unchanged).
    func with(durability: SQLiteRunStore.Configuration.Durability) -> BenchStore {
        switch self {
        case .sqlite(_, let directory): .sqlite(durability: durability, directory: directory)
        case .postgres: self
        }
    }

    /// Calls `body` with a fresh store, then removes it.
    func withFreshStore<Result: Sendable>(_ body: (Fresh) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite(let durability, let directory):
            let runDirectory = directory.appendingPathComponent("keel-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: runDirectory) }
            let path = runDirectory.appendingPathComponent("bench.sqlite").path
            let store = try SQLiteRunStore(path: path, configuration: .init(durability: durability))
            return try await body(Fresh(store: store, commits: SQLiteCommitCounter(databasePath: path)))
        case .postgres(let url):
            return try await Self.withFreshSchema(url: url) { store in try await body(Fresh(store: store, commits: nil)) }
        }
    }

    /// Runs `body` with a store in a new schema of the database at `url`, then drops the schema.
    private static func withFreshSchema<Result: Sendable>(
        url: String, _ body: (PostgresRunStore) async throws -> Result
    ) async throws -> Result {
        let schema = "keel_bench_" + UUID().uuidString.prefix(8).lowercased()
        var configuration = try PostgresURL(url).configuration
        configuration.options.maximumConnections = 40
        let admin = PostgresClient(configuration: configuration)
        var scoped = configuration
        scoped.options.additionalStartupParameters.append(("search_path", schema))
        let client = PostgresClient(configuration: scoped)
        var logger = Logger(label: "keel.bench.postgres")
        logger.logLevel = .warning
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
            do {
                let store = try await PostgresRunStore(client: client, logger: logger)
                let result = try await body(store)
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                return result
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                throw error
            }
        }
    }
}
