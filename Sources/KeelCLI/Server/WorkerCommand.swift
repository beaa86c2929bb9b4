import ArgumentParser
import Keel
import Logging
import UnixSignals
import ServiceLifecycle

/// `keel worker`: executes runs from the store, without the HTTP API.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker (no HTTP API) that executes your tasks' runs from the store."
    )

    @OptionGroup var engineOptions: EngineOptions

    func run() async throws {
        let logger = engineOptions.makeLogger(defaultLevel: .info)
        let store = try engineOptions.store(sqliteFallback: "keel.sqlite")
        try await store.withEngine(concurrency: engineOptions.concurrency, leaseDuration: .milliseconds(Int64(engineOptions.leaseSeconds * 1000)), tasks: TaskCatalog.shared.tasks, metrics: nil, logger: logger) { engine in
            logger.notice("Keel worker started", metadata: ["store": "\(store)", "tasks": .string(engine.taskNames.joined(separator: ","))])
            let group = ServiceGroup(services: [engine], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
        }
    }
}
