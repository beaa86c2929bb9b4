import Foundation

/// Runs scenario M in a child process of this executable, so the peak resident set it reports
/// (`VmHWM`) is M's alone, not the peak of whatever ran before it in this process.
enum ChildProcess {
    /// Runs one repeat of M in `keel-bench --only M --repeats 1 --json-only` and returns its figures.
    static func runMemoryScenario(n: Int, settings: BenchRunner.Settings) async throws -> Figures {
        var arguments = settings.childArguments
        arguments += ["--only", "M", "--repeats", "1", "--n", "\(n)", "--json-only", "--memory-in-process"]
        arguments += ["--probe-seconds", "\(settings.probeSeconds)", "--timeout", "\(settings.timeoutSeconds)"]
        if settings.smoke { arguments.append("--smoke") }
        let output = try await run(arguments, timeoutSeconds: settings.timeoutSeconds + 60)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw BenchError("scenario M: the child process printed no JSON line; its output:\n\(output.suffix(2000))") }
        if let errors = object["errors"] as? [String: String], let error = errors["M"] { throw BenchError(error) }
        guard let runs = object["runs"] as? [String: [[String: Double]]], let figures = runs["M"]?.first else {
            throw BenchError("scenario M: the child process reported no figures")
        }
        return figures
    }

    /// Runs this executable with `arguments`, stderr passed through, and returns its stdout; the
    /// child is terminated if it is still running after `timeoutSeconds`.
    private static func run(_ arguments: [String], timeoutSeconds: Double) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
                process.arguments = arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                do {
                    try process.run()
                    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                        if process.isRunning {
                            FileHandle.standardError.write(Data("keel-bench: scenario M's child process still runs after \(Int(timeoutSeconds)) s; terminating it\n".utf8))
                            process.terminate()
                        }
                    }
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    let output = String(decoding: data, as: UTF8.self)
                    if process.terminationStatus != 0 && !output.contains("{") {
                        continuation.resume(throwing: BenchError("scenario M: the child process exited with status \(process.terminationStatus)"))
                    } else {
                        continuation.resume(returning: output)
                    }
                } catch {
                    continuation.resume(throwing: BenchError("scenario M: cannot start a child process: \(error)"))
                }
            }
        }
    }
}
