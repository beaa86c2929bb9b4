import Foundation
import KeelTesting
import Testing

/// A real `keel dev --port 0` server in a subprocess, on a temporary data directory.
final class DevServer: @unchecked Sendable {
    /// The API key the server accepts.
    static let apiKey = "keel-cli-test-key-0123456789"

    /// Its URL, `http://127.0.0.1:<port>`.
    let url: String
    private let process: Process
    /// Its data directory, removed when it stops.
    let directory: URL
    private let logURL: URL

    private init(url: String, process: Process, directory: URL, logURL: URL) {
        self.url = url
        self.process = process
        self.directory = directory
        self.logURL = logURL
    }

    /// The environment that points `keel` client commands at this server.
    var environment: [String: String] { ["KEEL_URL": url, "KEEL_API_KEY": Self.apiKey] }

    /// Starts a server, runs `body` with it, and stops it with SIGTERM, whatever `body` does.
    static func with<Result>(_ body: (DevServer) async throws -> Result) async throws -> Result {
        let server = try await start()
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Runs `keel arguments…` against this server (through `KEEL_URL` and `KEEL_API_KEY`).
    func keel(_ arguments: String..., standardInput: String? = nil) async throws -> CommandResult {
        try await KeelProcess.run(arguments, environment: environment, standardInput: standardInput)
    }

    /// Runs `keel arguments…` against this server (through `KEEL_URL` and `KEEL_API_KEY`).
    func keel(_ arguments: [String], standardInput: String? = nil) async throws -> CommandResult {
        try await KeelProcess.run(arguments, environment: environment, standardInput: standardInput)
    }

    /// Starts `keel arguments…` against this server in the background.
    func start(_ arguments: String...) throws -> RunningKeel {
        try RunningKeel(arguments, environment: environment)
    }

    /// What the server wrote so far, for failure messages.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Starts a server on a new temporary data directory; stop it with ``stop(keepingData:)``.
    static func started() async throws -> DevServer {
        try await start()
    }

    /// Stops this server with SIGTERM, keeping its data, and starts a new one on the same data
    /// directory (on a new port), as a user restarting `keel dev` would.
    func restarted() async throws -> DevServer {
        try await stop(keepingData: true)
        return try await Self.start(in: directory)
    }

    private static func start(in existing: URL? = nil) async throws -> DevServer {
        let directory = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("keel-cli-dev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }

        let process = Process()
        process.executableURL = try KeelProcess.executableURL()
        process.arguments = ["dev", "--port", "0", "--data", directory.appendingPathComponent("data").path]
        process.environment = KeelProcess.environment(["KEEL_API_KEY": apiKey])
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.currentDirectoryURL = directory
        try ChildProcessLauncher.run(process)

        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let url = Self.url(in: text) {
                return DevServer(url: url, process: process, directory: directory, logURL: logURL)
            }
            guard process.isRunning else {
                try? FileManager.default.removeItem(at: directory)
                throw ServerFailed(message: "keel dev exited with status \(process.terminationStatus) before printing its URL:\n\(text)")
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try? FileManager.default.removeItem(at: directory)
                throw ServerFailed(message: "keel dev printed no URL within 60 s:\n\(text)")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Whether `process` exits within `timeout`, waited for on a thread of its own: not with
    /// `Task.sleep`, because stopping must also work in a test cancelled by its time limit, and not
    /// by blocking this task's thread, one of the cooperative pool's (one per core), which every
    /// other test in the process needs.
    static func exits(_ process: Process, within timeout: Duration) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: "keel.test.dev-server-exit").async {
                let deadline = ContinuousClock.now + timeout
                while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
                continuation.resume(returning: !process.isRunning)
            }
        }
    }

    /// Kills the server at once and removes its directory: a test's cleanup, which must not hold
    /// a thread while a graceful stop finishes.
    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The first `http://127.0.0.1:<port>` in `text` with a port other than 0.
    static func url(in text: String) -> String? {
        var rest = Substring(text)
        while let range = rest.range(of: "http://127.0.0.1:") {
            let port = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            if let number = Int(port), number > 0 { return "http://127.0.0.1:\(number)" }
            rest = rest[range.upperBound...]
        }
        return nil
    }

    /// Stops the server with SIGTERM (SIGKILL if it has not exited after 20 s) and removes its
    /// directory unless `keepingData`.
    func stop(keepingData: Bool = false) async throws {
        defer { if !keepingData { try? FileManager.default.removeItem(at: directory) } }
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGTERM)
        guard await Self.exits(process, within: .seconds(20)) else {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ServerFailed(message: "keel dev did not stop within 20 s of SIGTERM:\n\(log)")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ServerFailed(message: "keel dev exited with status \(process.terminationStatus) on SIGTERM:\n\(log)")
        }
    }

    /// The server did not start or stop as it should.
    struct ServerFailed: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
