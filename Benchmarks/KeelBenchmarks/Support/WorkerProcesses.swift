import Foundation
import Keel
import KeelPostgres
import Logging
import PostgresNIO

/// Worker processes for scenario W: this executable started with `--worker-for URL`, each an
/// engine with the benchmark tasks on the PostgreSQL schema `URL` reaches, as on its own machine.
final class WorkerProcesses: @unchecked Sendable {
    private let processes: [Process]

    /// Starts `count` workers on `postgresURL`.
    init(count: Int, postgresURL: String) throws {
        processes = try (0..<count).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            process.arguments = ["--worker-for", postgresURL]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
    }

    /// Kills them (the runs are finished; nothing is left to hand over).
    func stop() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    /// The body of a worker process: an engine with 32 slots on `postgresURL`, until killed.
    static func serve(postgresURL: String) async throws {
        let client = PostgresClient(configuration: try PostgresURL(postgresURL).configuration)
        let clientTask = Task { await client.run() }
        defer { clientTask.cancel() }
        var logger = Logger(label: "keel.bench.worker")
        logger.logLevel = .warning
        let store = try await PostgresRunStore(client: client, logger: logger)
        let engine = try EngineHarness.makeEngine(store: store, marks: MarkBoard())
        try await engine.run()
    }
}
