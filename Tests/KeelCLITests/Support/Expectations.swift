import Foundation
import Testing

/// Checks that a command failed the way every client error should: a non-zero exit, nothing on
/// standard output, and one line `error: …` on standard error containing each of `fragments`
/// (case-insensitive), with no crash report.
func expectOneLineError(_ result: CommandResult, containing fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "\(result)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.count == 1, "one line on stderr: \(result)", sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("error: ") == true, "\(result)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(result.stderr.lowercased().contains(fragment.lowercased()), "'\(fragment)' in: \(result)", sourceLocation: sourceLocation)
    }
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"), "\(result)", sourceLocation: sourceLocation)
}

/// Checks that a command succeeded with nothing on standard error.
func expectSuccess(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 0, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
}

/// Parses a command's standard output as a JSON object.
func jsonObject(_ result: CommandResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    return try #require(value as? [String: Any], "a JSON object: \(result)", sourceLocation: sourceLocation)
}

/// Retries `condition` every 100 ms until it returns a value, for at most `timeout`.
func eventually<Value>(
    _ what: String,
    timeout: Duration = .seconds(30),
    _ condition: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await condition() { return value }
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(100))
    }
}
