import Foundation
import Keel
import KeelSQLite
import Logging

/// A helper process for the crash test: runs a multi-step task on a SQLite file so that the
/// test can kill it with SIGKILL mid-run and finish the run in a second process.
///
///     keel-crash-helper start  DB SIDE_FILE STEPS   # triggers a run, prints its id, executes it
///     keel-crash-helper resume DB SIDE_FILE RUN_ID  # reclaims the run after its lease, prints its output
@main
struct CrashHelper {
    /// Each step appends `begin i` and `end i` to the side file around 100 ms of work; from step
    /// `stallFrom` on, a minute of work, so that the test's kill lands mid-run however slowly
    /// the test process reacts.
    struct Steps: TaskDefinition {
        struct Output: Codable, Sendable { var results: [Int] }
        static let name = "crash.steps"
        let sideFile: String
        var stallFrom = Int.max

        func run(input: Int, context: TaskContext) async throws -> Output {
            var results: [Int] = []
            for index in 0..<input {
                results.append(
                    try await context.step("step-\(index)") {
                        try append("begin \(index)")
                        try await Task.sleep(for: index >= stallFrom ? .seconds(60) : .milliseconds(100))
                        try append("end \(index)")
                        return index * index
                    })
            }
            return Output(results: results)
        }

        func append(_ line: String) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sideFile))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((line + "\n").utf8))
            try handle.synchronize()
        }
    }

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 5, ["start", "resume"].contains(arguments[1]) else {
            FileHandle.standardError.write(Data("usage: keel-crash-helper start|resume DB SIDE_FILE STEPS|RUN_ID\n".utf8))
            exit(64)
        }
        let (mode, database, sideFile) = (arguments[1], arguments[2], arguments[3])
        if !FileManager.default.fileExists(atPath: sideFile) {
            _ = FileManager.default.createFile(atPath: sideFile, contents: nil)
        }
        var logger = Logger(label: "keel.crash-helper")
        logger.logLevel = .warning
        let engine = try KeelEngine(
            configuration: .init(leaseDuration: .seconds(2), heartbeatInterval: .milliseconds(500), pollInterval: .milliseconds(50)),
            store: try .sqlite(path: database),
            tasks: [Steps(sideFile: sideFile, stallFrom: mode == "start" ? 2 : .max)],
            logger: logger
        )
        let service = Task { try await engine.run() }
        let handle: RunHandle<Steps.Output>
        if mode == "start" {
            handle = try await engine.trigger(Steps.self, input: Int(arguments[4]) ?? 5)
            FileHandle.standardOutput.write(Data((handle.id.rawValue + "\n").utf8))
        } else {
            handle = engine.handle(for: RunID(arguments[4]))
        }
        let output = try await handle.result()
        let json = try JSONEncoder().encode(output)
        FileHandle.standardOutput.write(json + Data("\n".utf8))
        service.cancel()
        try await service.value
    }
}
