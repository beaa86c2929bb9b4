import Foundation
import KeelTesting

/// What a finished `keel` process wrote and how it exited.
struct CommandResult: Sendable, CustomStringConvertible {
    /// The arguments it ran with.
    var arguments: [String]
    /// Its standard output.
    var stdout: String
    /// Its standard error.
    var stderr: String
    /// Its exit status.
    var status: Int32

    /// Standard output's lines, without the empty last one.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }

    var description: String { "keel \(arguments.joined(separator: " ")) → exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
}

/// Runs the built `keel` executable as a subprocess.
enum KeelProcess {
    /// The `keel` executable, built next to the test bundle.
    static func executableURL() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("keel"))
            candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("keel"))
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("keel"))
            directory = directory.deletingLastPathComponent()
        }
        let found = candidates.first { candidate in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: candidate.path)
        }
        guard let found else { throw ExecutableNotFound(searched: candidates.map(\.path)) }
        return found
    }

    /// The environment of the test process without the variables the client reads, plus `environment`.
    static func environment(_ environment: [String: String]) -> [String: String] {
        var merged = ProcessInfo.processInfo.environment
        merged["KEEL_URL"] = nil
        merged["KEEL_API_KEY"] = nil
        merged.merge(environment) { _, new in new }
        return merged
    }

    /// Runs `keel arguments…` to completion, killing it after `timeout`.
    ///
    /// - Parameters:
    ///   - arguments: the command line after `keel`.
    ///   - environment: variables to set (`KEEL_URL`, `KEEL_API_KEY`), over a copy of this process's without them.
    ///   - standardInput: text for its standard input, if any.
    ///   - timeout: how long it may run.
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        standardInput: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let running = try RunningKeel(arguments, environment: environment, standardInput: standardInput)
        return try await running.finish(within: timeout)
    }

    /// The `keel` executable was not found.
    struct ExecutableNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "keel not found; build it with `swift build --build-tests`. Searched: \(searched.joined(separator: ", "))" }
    }
}

/// Something did not happen in time.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A `keel` process started in the background, its output going to temporary files that can be
/// read while it runs.
final class RunningKeel: @unchecked Sendable {
    private let process = Process()
    private let arguments: [String]
    private let directory: URL
    private let stdoutURL: URL
    private let stderrURL: URL

    /// Starts `keel arguments…`; see ``KeelProcess/run(_:environment:standardInput:timeout:)``.
    init(_ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil) throws {
        self.arguments = arguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }
        process.executableURL = try KeelProcess.executableURL()
        process.arguments = arguments
        process.environment = KeelProcess.environment(environment)
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        let input = Pipe()
        process.standardInput = input
        try ChildProcessLauncher.run(process)
        if let standardInput { input.fileHandleForWriting.write(Data(standardInput.utf8)) }
        try? input.fileHandleForWriting.close()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// What it wrote to standard output so far.
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Whether it is still running.
    var isRunning: Bool { process.isRunning }

    /// Waits for it to exit (killing it after `timeout`) and returns what it wrote.
    func finish(within timeout: Duration = .seconds(60)) async throws -> CommandResult {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline || Task.isCancelled {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try Task.checkCancellation()
                throw TimedOut(what: "keel \(arguments.joined(separator: " ")) to exit within \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return CommandResult(
            arguments: arguments,
            stdout: stdout,
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "",
            status: process.terminationStatus
        )
    }
}
