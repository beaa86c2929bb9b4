import Foundation
import KeelTesting

/// A `keel-test-worker worker --postgres …` process: a real worker on its own machine, as far
/// as the database can tell.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL

    init(postgresURL: String, concurrency: Int = 8, leaseSeconds: Double = 30) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("keel-worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        process.executableURL = try Self.executableURL()
        process.arguments = ["worker", "--postgres", postgresURL, "--concurrency", "\(concurrency)", "--lease-seconds", "\(leaseSeconds)", "--log-level", ProcessInfo.processInfo.environment["KEEL_TEST_WORKER_LOG_LEVEL"] ?? "warning"]
        var environment = ProcessInfo.processInfo.environment
        environment["KEEL_POSTGRES_URL"] = nil
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try ChildProcessLauncher.run(process)
    }

    deinit { kill(SIGKILL) }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGKILL: the process dies at once, its leases left to expire).
    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        _ = Foundation.kill(process.processIdentifier, signal)
        if signal == SIGKILL { process.waitUntilExit() }
    }


    static func executableURL() throws -> URL {
        var candidates: [URL] = []
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("keel-test-worker"))
            directory = directory.deletingLastPathComponent()
        }
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("keel-test-worker"))
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw WorkerError("keel-test-worker not found; build it with `swift build --build-tests`. Searched: \(candidates.map(\.path))")
        }
        return found
    }
}

struct WorkerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
