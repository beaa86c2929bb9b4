import Foundation
import Keel
import KeelPostgres
import KeelSQLite
import Logging
import PostgresNIO
import Synchronization

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
        /// A URL that reaches this store's schema, for other processes (PostgreSQL).
        var postgresURL: String? = nil
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
            return try await Self.withFreshSchema(url: url) { store, schemaURL in
                try await body(Fresh(store: store, commits: nil, postgresURL: schemaURL))
            }
        }
    }

    /// Throws a clear error, within 10 s, when the PostgreSQL server cannot be reached (a client
    /// would otherwise retry its connection without end); does nothing for SQLite.
    func checkReachable() async throws {
        guard case .postgres(let url) = self else { return }
        let client = PostgresClient(configuration: try PostgresURL(url).configuration)
        let running = Task { await client.run() }
        let first = FirstResume<String?>()
        let failure = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            first.arm(continuation)
            Task {
                do {
                    _ = try await client.query("SELECT 1")
                    first.resume(nil)
                } catch {
                    first.resume(String(reflecting: error))
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(10))
                first.resume("no answer within 10 s")
            }
        }
        running.cancel()
        if let failure {
            throw BenchError("cannot reach PostgreSQL at \(url) (--postgres or KEEL_POSTGRES_URL): \(failure)")
        }
    }

    /// Runs `body` with a store in a new schema of the database at `url`, then drops the schema.
    private static func withFreshSchema<Result: Sendable>(
        url: String, _ body: (PostgresRunStore, String) async throws -> Result
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
        // The clients run in tasks of their own, not in a task group: a group waits without bound
        // for its tasks after cancelling them, and a client whose run() did not return would hang
        // the benchmark (it happened once, after M on PostgreSQL). ``stop(_:)`` waits 10 s at most.
        let clients = [Task { await admin.run() }, Task { await client.run() }]
        do {
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
            do {
                let store = try await PostgresRunStore(client: client, logger: logger)
                let result = try await body(store, try Self.url(url, schema: schema))
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                await stop(clients)
                return result
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                throw error
            }
        } catch {
            await stop(clients)
            throw error
        }
    }

    /// `url` with `search_path=schema`, replacing any search path it had.
    static func url(_ url: String, schema: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw BenchError("not a URL: \(url)") }
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "search_path" } + [URLQueryItem(name: "search_path", value: schema)]
        guard let result = components.string else { throw BenchError("cannot add search_path to \(url)") }
        return result
    }

    /// Cancels the clients' tasks and waits up to 10 s for them to end, reporting on stderr if
    /// they have not (they are then left behind).
    private static func stop(_ tasks: [Task<Void, Never>]) async {
        for task in tasks { task.cancel() }
        let first = FirstResume<Bool>()
        let ended = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            first.arm(continuation)
            Task {
                for task in tasks { await task.value }
                first.resume(true)
            }
            Task {
                try? await Task.sleep(for: .seconds(10))
                first.resume(false)
            }
        }
        if !ended {
            FileHandle.standardError.write(
                Data("keel-bench: warning: a PostgresClient's run() had not returned 10 s after its task was cancelled; going on without it\n".utf8)
            )
        }
    }
}

/// A continuation resumed by the first of several racers; later resumes do nothing.
private final class FirstResume<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)
    func arm(_ continuation: CheckedContinuation<Value, Never>) { self.continuation.withLock { $0 = continuation } }
    func resume(_ value: Value) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
