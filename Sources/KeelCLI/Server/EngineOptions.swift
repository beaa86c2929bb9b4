import ArgumentParser
import Keel
import Logging

/// Options every command that starts an engine shares: where the store is and how much runs at once.
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite file runs live in (env KEEL_SQLITE_PATH).", valueName: "path"))
    var sqlite: String?

    @Option(name: .long, help: ArgumentHelp("A PostgreSQL URL, postgres://user:password@host:port/database (env KEEL_POSTGRES_URL); wins over --sqlite.", valueName: "url"))
    var postgres: String?

    @Option(name: .long, help: "How many runs execute at once in this process.")
    var concurrency: Int = 32

    @Option(name: .long, help: ArgumentHelp("Seconds a run stays leased to this worker without a heartbeat; another worker takes it over after.", valueName: "seconds"))
    var leaseSeconds: Double = 30

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error (env KEEL_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
        if !(leaseSeconds >= 1) { throw ValidationError("--lease-seconds must be at least 1, got \(leaseSeconds)") }
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

    /// The store: `--postgres`, `KEEL_POSTGRES_URL`, then `--sqlite`, `KEEL_SQLITE_PATH`, `fallback`.
    func store(sqliteFallback fallback: String) throws -> StoreLocation {
        try StoreLocation.resolve(postgres: postgres ?? Environment.value("KEEL_POSTGRES_URL"), sqlitePath: sqlitePath(fallback: fallback))
    }
}
