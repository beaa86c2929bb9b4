import Foundation
import KeelTesting
import Keel
import KeelSQLite
import Testing

/// A real crash: a helper process is killed with SIGKILL in the middle of a run, and a second
/// process on the same SQLite file finishes it.
@Suite(.timeLimit(.minutes(2)), .tags(.crash))
struct CrashTests {
    struct Output: Codable, Equatable { var results: [Int] }

    @Test func killedProcessRunIsFinishedByAnotherProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("keel.sqlite").path
        let sideFile = directory.appendingPathComponent("side.log").path
        let steps = 6

        // Given a process executing a 6-step run
        let first = try HelperProcess.start(["start", database, sideFile, String(steps)])
        let runID = RunID(try await first.readLine())
        // When it is killed with SIGKILL while its third step is in flight
        try await waitFor { lines(sideFile).contains("begin 2") }
        first.kill()
        let store = try SQLiteRunStore(path: database)
        let completedBeforeCrash = Set(try await store.journal(runID).filter { $0.kind == .stepCompleted }.map(\.name))
        #expect(completedBeforeCrash.isSuperset(of: ["step-0", "step-1"]))
        let afterKill = try await store.run(runID)
        #expect(afterKill?.status.isTerminal == false, "the run is unfinished after the kill (status \(afterKill?.status.rawValue ?? "none"), lease \(afterKill?.leaseOwner ?? "none"))")

        // Then a second process reclaims the run once the lease expires and finishes it
        let second = try HelperProcess.start(["resume", database, sideFile, runID.rawValue])
        let output = try JSONDecoder().decode(Output.self, from: Data(try await second.readLine().utf8))
        try await second.waitForExit()
        #expect(output.results == (0..<steps).map { $0 * $0 })

        // The journal has each step once, in order
        let journal = try await store.journal(runID)
        #expect(journal.map(\.name) == (0..<steps).map { "step-\($0)" })
        #expect(journal.allSatisfy { $0.kind == .stepCompleted })
        #expect(try await store.run(runID)?.status == .completed)

        // No completed step body ran twice; only the one in flight at the kill may have
        let log = lines(sideFile)
        for index in 0..<steps {
            let begins = log.filter { $0 == "begin \(index)" }.count
            if completedBeforeCrash.contains("step-\(index)") {
                #expect(begins == 1, "step-\(index) was completed before the crash and must not run again")
            } else {
                #expect((1...2).contains(begins), "step-\(index) ran \(begins) times")
            }
        }
        #expect(log.filter { $0.hasPrefix("begin") }.count <= steps + 1)
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func waitFor(_ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(30)
        while !condition() {
            guard Date() < deadline else { throw TimedOut(what: "the helper process") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// A running `keel-crash-helper` process with its standard output.
final class HelperProcess: @unchecked Sendable {
    let process = Process()
    let output = Pipe()

    static func start(_ arguments: [String]) throws -> HelperProcess {
        let helper = HelperProcess()
        helper.process.executableURL = try executableURL()
        helper.process.arguments = arguments
        helper.process.standardOutput = helper.output
        try ChildProcessLauncher.run(helper.process)
        return helper
    }

    /// The helper is built next to the test bundle.
    static func executableURL() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("keel-crash-helper"))
            candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("keel-crash-helper"))
        }
        let arguments0 = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(arguments0.deletingLastPathComponent().appendingPathComponent("keel-crash-helper"))
        for _ in 0..<4 {
            if let last = candidates.last {
                candidates.append(last.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("keel-crash-helper"))
            }
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw HelperNotFound(searched: candidates.map(\.path))
        }
        return found
    }

    struct HelperNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "keel-crash-helper not found; build it with `swift build`. Searched: \(searched.joined(separator: ", "))" }
    }

    /// Reads one line of the helper's standard output.
    func readLine() async throws -> String {
        let handle = output.fileHandleForReading
        // The blocking read runs on a thread of its own, not on one of the cooperative pool's
        // (one per core), which every other test in the process needs meanwhile.
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "keel.test.crash-helper-output").async {
                var bytes: [UInt8] = []
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else {
                        continuation.resume(throwing: TimedOut(what: "a line from the helper (it exited)"))
                        return
                    }
                    if byte == UInt8(ascii: "\n") {
                        continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
                        return
                    }
                    bytes.append(byte)
                }
            }
        }
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the helper to exit, polling: blocking in `waitUntilExit` would hold one of the
    /// cooperative pool's threads (one per core), which every other test in the process needs.
    func waitForExit(within timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "the helper to exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw TimedOut(what: "a clean exit (status \(process.terminationStatus))") }
    }
}
