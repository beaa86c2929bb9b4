import ArgumentParser
import Foundation
import Hummingbird
import Keel
import KeelServer
import Logging
import UnixSignals

/// `keel dev`: a worker, the HTTP API and the example tasks on an embedded SQLite file.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run Keel locally: worker and HTTP API on ./.keel/keel.sqlite, with the example tasks.",
        discussion: """
            Prints the URL, this environment's API key and a curl line that triggers a run. \
            KEEL_API_KEY sets the key instead of a generated one. Ctrl-C stops gracefully; \
            starting again continues the runs in the file.
            """
    )

    @Option(name: .long, help: "The port to listen on (0 picks a free one).")
    var port: Int = 7400

    @Option(name: .long, help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("The directory of the SQLite file.", valueName: "dir"))
    var data: String = ".keel"

    @Option(name: .long, help: ArgumentHelp("Use this PostgreSQL database (postgres://user@host:port/database) instead of the SQLite file.", valueName: "url"))
    var postgres: String?

    @Option(name: .long, help: "How many runs execute at once.")
    var concurrency: Int = 32

    func validate() throws {
        if !(0...65_535).contains(port) { throw ValidationError("--port must be from 0 to 65535, got \(port)") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1, got \(concurrency)") }
    }

    func run() async throws {
        let path = URL(fileURLWithPath: data).appendingPathComponent("keel.sqlite").path
        var logger = Logger(label: "keel")
        logger.logLevel = Environment.value("KEEL_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .notice
        let apiKey = Environment.value("KEEL_API_KEY") ?? APIKeySet.generateKey()
        let metrics = KeelMetrics()
        // Only the flag: a KEEL_POSTGRES_URL exported for `keel serve` does not move `keel dev` off its file.
        let store = try StoreLocation.resolve(postgres: postgres, sqlitePath: path)
        let host = host
        let configuration = KeelServerConfiguration(host: host, port: port, apiKeys: APIKeySet(keys: [apiKey]))
        try await store.withEngine(concurrency: concurrency, tasks: TaskCatalog.shared.devTasks, metrics: metrics, logger: logger) { engine in
            let taskNames = engine.taskNames
            let app = buildApplication(
                engine: engine, configuration: configuration, metrics: metrics, logger: logger,
                onServerRunning: { port in
                    Self.printBanner(url: "http://\(host):\(port)", apiKey: apiKey, path: "\(store)", taskNames: taskNames)
                }
            )
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        }
    }

    static func printBanner(url: String, apiKey: String, path: String, taskNames: [String]) {
        let trigger = taskNames.contains("demo.steps")
            ? #"curl -s -X POST \#(url)/api/v1/tasks/demo.steps/trigger -H 'Authorization: Bearer \#(apiKey)' -H 'Content-Type: application/json' -d '{"input": {"count": 3, "sleepSeconds": 1}}'"#
            : #"curl -s \#(url)/api/v1/tasks -H 'Authorization: Bearer \#(apiKey)'"#
        // Unbuffered, so a script reading the pipe sees the URL at once.
        FileHandle.standardOutput.write(Data(
            """
            Keel dev is running: worker and API on \(path)
              url      \(url)
              api key  \(apiKey)
              tasks    \(taskNames.joined(separator: ", "))
              try      \(trigger)
              then     KEEL_URL=\(url) KEEL_API_KEY=\(apiKey) keel runs list
            Ctrl-C stops gracefully; runs in flight continue on the next start.

            """.utf8))
    }
}
