import ArgumentParser
import Foundation
import Hummingbird
import Keel
import KeelServer
import Logging
import UnixSignals

/// `keel serve`: the worker and the HTTP API for production, configured by flags and environment.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a worker and the HTTP API with your tasks, configured for production.",
        discussion: """
            API keys are given as SHA-256 digests (keel keys generate prints a key and its digest) \
            with --api-key-sha256 or KEEL_API_KEY_SHA256 (comma-separated), or as keys with \
            KEEL_API_KEY (kept in memory only as digests). At least one is required.
            """
    )

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .long, help: "The address to listen on (env KEEL_HOST).")
    var host: String?

    @Option(name: .long, help: "The port to listen on (env KEEL_PORT).")
    var port: Int?

    @Option(name: .customLong("api-key-sha256"), help: ArgumentHelp("The SHA-256 digest of an accepted API key; repeatable.", valueName: "hex"))
    var apiKeyDigests: [String] = []

    @Option(name: .long, help: "The largest request body accepted, in bytes.")
    var maximumRequestBytes: Int = 16 * 1024 * 1024

    func run() async throws {
        let host = host ?? Environment.value("KEEL_HOST") ?? "0.0.0.0"
        let portText = port.map(String.init) ?? Environment.value("KEEL_PORT") ?? "7400"
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw CLIError("the port must be from 0 to 65535, got '\(portText)'")
        }
        let keys = try Self.apiKeys(digests: apiKeyDigests)
        let logger = engineOptions.makeLogger(defaultLevel: .info)
        let store = try engineOptions.store(sqliteFallback: "keel.sqlite")
        let metrics = KeelMetrics()
        let serverConfiguration = KeelServerConfiguration(host: host, port: port, apiKeys: keys, maximumRequestBytes: maximumRequestBytes)
        try await store.withEngine(concurrency: engineOptions.concurrency, leaseDuration: .milliseconds(Int64(engineOptions.leaseSeconds * 1000)), tasks: TaskCatalog.shared.tasks, metrics: metrics, logger: logger) { engine in
            let app = buildApplication(
                engine: engine, configuration: serverConfiguration, metrics: metrics, logger: logger,
                onServerRunning: { port in logger.notice("Keel is serving", metadata: ["url": "http://\(host):\(port)", "store": "\(store)"]) }
            )
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        }
    }

    /// The keys from `--api-key-sha256`, `KEEL_API_KEY_SHA256` and `KEEL_API_KEY`.
    static func apiKeys(digests: [String]) throws -> APIKeySet {
        let allDigests = digests + (Environment.value("KEEL_API_KEY_SHA256")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
        let plainKeys = Environment.value("KEEL_API_KEY").map { [$0] } ?? []
        guard !allDigests.isEmpty || !plainKeys.isEmpty else {
            throw CLIError("no API key configured: pass --api-key-sha256 (see `keel keys generate`), or set KEEL_API_KEY_SHA256 or KEEL_API_KEY")
        }
        do {
            return try APIKeySet(digests: allDigests + plainKeys.map(APIKeySet.digest(of:)))
        } catch {
            throw CLIError("\(error)")
        }
    }
}
