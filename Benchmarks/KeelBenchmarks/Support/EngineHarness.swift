import Foundation
import Keel
import Logging

/// Starts engines for the scenarios and stops them afterwards.
enum EngineHarness {
    /// The logger engines get: warnings and errors only, so timings are not spent printing.
    static var logger: Logger {
        var logger = Logger(label: "keel.bench")
        logger.logLevel = .warning
        return logger
    }

    /// Creates an engine on `store` with every benchmark task, runs it as a service while `body`
    /// runs, then cancels it and waits until it has stopped (its leases released).
    static func withRunningEngine<Result: Sendable>(
        store: any RunStore,
        configuration: KeelEngine.Configuration = .init(concurrency: 32),
        marks: MarkBoard = MarkBoard(),
        _ body: (KeelEngine) async throws -> Result
    ) async throws -> Result {
        let engine = try makeEngine(store: store, configuration: configuration, marks: marks)
        let service = Task { try await engine.run() }
        let result: Result
        do {
            result = try await body(engine)
        } catch {
            service.cancel()
            _ = try? await service.value
            throw error
        }
        service.cancel()
        try await service.value
        return result
    }

    /// An engine on `store` with every benchmark task, not started: a client that only triggers.
    static func makeEngine(store: any RunStore, configuration: KeelEngine.Configuration = .init(concurrency: 32), marks: MarkBoard) throws -> KeelEngine {
        try KeelEngine(configuration: configuration, store: store, tasks: benchTasks(marks: marks), logger: logger)
    }
}
