import ArgumentParser
import Keel
import KeelSQLite
import KeelServer
import Logging

/// Options every command that starts an engine shares: where the store is and how much runs at once.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite file runs live in (env KEEL_SQLITE_PATH).", valueName: "path"))
    var sqlite: String?

    @Option(name: .long, help: "How many runs execute at once in this process.")
    var concurrency: Int = 32

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error (env KEEL_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'")
        }
    }

    /// The SQLite path: the flag, then `KEEL_SQLITE_PATH`, then `fallback`.
    func sqlitePath(fallback: String) -> String {
        sqlite ?? Environment.value("KEEL_SQLITE_PATH") ?? fallback
    }

    func makeLogger(defaultLevel: Logger.Level) -> Logger {
        var logger = Logger(label: "keel")
        logger.logLevel = (logLevel ?? Environment.value("KEEL_LOG_LEVEL")).flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        return logger
    }

    /// An engine on the SQLite file at `path` running `tasks`, its metrics going to `metrics`.
    func makeEngine(path: String, tasks: [any TaskDefinition], metrics: KeelMetrics?, logger: Logger) throws -> KeelEngine {
        try Self.makeEngine(path: path, concurrency: concurrency, tasks: tasks, metrics: metrics, logger: logger)
    }

    /// An engine on the SQLite file at `path` running up to `concurrency` runs of `tasks` at once.
    static func makeEngine(path: String, concurrency: Int, tasks: [any TaskDefinition], metrics: KeelMetrics?, logger: Logger) throws -> KeelEngine {
        var configuration = KeelEngine.Configuration(concurrency: concurrency)
        if let metrics { configuration.metricsFactory = metrics.factory }
        do {
            return try KeelEngine(configuration: configuration, store: try .sqlite(path: path), tasks: tasks, logger: logger)
        } catch {
            throw CLIError("cannot open the store at '\(path)': \(error)")
        }
    }
}
