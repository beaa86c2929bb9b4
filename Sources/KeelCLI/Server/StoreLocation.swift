import Keel
import KeelPostgres
import KeelServer
import KeelSQLite
import Logging
import PostgresNIO

/// Where a command's engine keeps its runs: a SQLite file or a PostgreSQL database.
enum StoreLocation: CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresURL)

    /// `--postgres` (or `postgresEnvironment`) wins over the SQLite path.
    static func resolve(postgres: String?, sqlitePath: String) throws -> StoreLocation {
        guard let postgres else { return .sqlite(path: sqlitePath) }
        do {
            return .postgres(try PostgresURL(postgres))
        } catch {
            throw CLIError("\(error)")
        }
    }

    var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.description
        }
    }

    /// Runs `body` with an engine on this store; a PostgreSQL client runs for as long as `body` does.
    func withEngine<Result: Sendable>(
        concurrency: Int, leaseDuration: Duration = .seconds(30), tasks: [any TaskDefinition], metrics: KeelMetrics?, logger: Logger,
        _ body: (KeelEngine) async throws -> Result
    ) async throws -> Result {
        var configuration = KeelEngine.Configuration(concurrency: concurrency, leaseDuration: leaseDuration)
        if let metrics { configuration.metricsFactory = metrics.factory }
        switch self {
        case .sqlite(let path):
            let engine: KeelEngine
            do {
                engine = try KeelEngine(configuration: configuration, store: try .sqlite(path: path), tasks: tasks, logger: logger)
            } catch {
                throw CLIError("cannot open the store at '\(path)': \(error)")
            }
            return try await body(engine)
        case .postgres(let url):
            let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let store: PostgresRunStore
                do {
                    store = try await PostgresRunStore(client: client, logger: logger)
                } catch {
                    throw CLIError("cannot open the PostgreSQL store at \(url): \(error)")
                }
                let engine = try KeelEngine(configuration: configuration, store: store, tasks: tasks, logger: logger)
                return try await body(engine)
            }
        }
    }
}
