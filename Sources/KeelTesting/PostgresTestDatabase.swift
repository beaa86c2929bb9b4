import Foundation
public import KeelPostgres
import Logging
public import PostgresNIO

/// The PostgreSQL server tests run against: `KEEL_POSTGRES_URL`, which `scripts/test` sets
/// after starting a throwaway cluster. Each test gets a schema of its own, dropped afterwards.
public enum PostgresTestDatabase {
    /// `KEEL_POSTGRES_URL`, if set.
    public static var url: String? {
        ProcessInfo.processInfo.environment["KEEL_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the current task already holds its use of the server (``PostgresServerAccess``).
    @TaskLocal static var usesTheServer = false

    /// Why PostgreSQL tests are skipped when ``url`` is not set.
    public static let howToEnable = "PostgreSQL tests are skipped: KEEL_POSTGRES_URL is not set. Run scripts/test (it installs and starts PostgreSQL), or set KEEL_POSTGRES_URL=postgres://user@host:port/database"

    /// Runs `body` with a store in a new schema (its own tables) and the client configuration
    /// that reaches that schema (for more stores or processes on it), then drops the schema.
    /// - Parameter aloneOnTheServer: wait until no other test of the process uses the server,
    ///   and keep others off it meanwhile: for a test that restarts the server (every
    ///   connection drops then, and the other tests' statements would wait out their deadline).
    public static func withFreshSchema<Result: Sendable>(
        maximumConnections: Int = 8,
        aloneOnTheServer: Bool = false,
        _ body: (PostgresRunStore, PostgresClient.Configuration) async throws -> Result
    ) async throws -> Result {
        // A store opened while this task already uses the server shares that use: waiting again
        // behind a test that wants the server alone would wait for ourselves.
        if usesTheServer && !aloneOnTheServer {
            return try await withFreshSchemaOnTheServer(maximumConnections: maximumConnections, body)
        }
        let access = PostgresServerAccess.shared
        await access.acquire(alone: aloneOnTheServer)
        do {
            let result = try await $usesTheServer.withValue(true) {
                try await withFreshSchemaOnTheServer(maximumConnections: maximumConnections, body)
            }
            await access.release(alone: aloneOnTheServer)
            return result
        } catch {
            await access.release(alone: aloneOnTheServer)
            throw error
        }
    }

    /// Runs `body` with a client of its own on `configuration` (another session's settings, a
    /// store with other options), running until `body` returns.
    public static func withRunningClient<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    private static func withFreshSchemaOnTheServer<Result: Sendable>(
        maximumConnections: Int,
        _ body: (PostgresRunStore, PostgresClient.Configuration) async throws -> Result
    ) async throws -> Result {
        guard let url else { throw PostgresTestError(message: howToEnable) }
        let schema = "keel_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        var configuration = try PostgresURL(url).configuration
        configuration.options.maximumConnections = maximumConnections
        let admin = PostgresClient(configuration: configuration)
        var scoped = configuration
        scoped.options.additionalStartupParameters.append(("search_path", schema))
        let client = PostgresClient(configuration: scoped)
        var logger = Logger(label: "keel.test.postgres")
        logger.logLevel = .warning
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
            do {
                let store = try await PostgresRunStore(client: client, logger: logger)
                let result = try await body(store, scoped)
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                return result
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                throw error
            }
        }
    }
}

/// The PostgreSQL tests cannot run.
public struct PostgresTestError: Error, CustomStringConvertible {
    /// Why.
    public var message: String
    public var description: String { message }
}
