import ArgumentParser
import Foundation

/// Where client commands write: results on standard output, errors on standard error.
enum Terminal {
    /// Writes `text` and a line break to standard output, at once: unbuffered, so a pipe or a
    /// file sees each line of `keel runs watch` as it happens.
    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `error: <message>` to standard error.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Runs a command's `body`, turning any error into one `error: …` line on standard error and
    /// exit status 1, so no error reaches the user as a stack trace or in Swift's own words.
    ///
    /// An ``ArgumentParser/ExitCode`` thrown by `body` passes through unchanged.
    static func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError(message(for: error))
            throw ExitCode.failure
        }
    }

    /// The one-line message told for `error`.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as ClientError: error.message
        case is DecodingError: "unexpected answer from the server: \(ClientError(String(describing: error)).message)"
        case is CancellationError: "cancelled"
        default: ClientError(String(describing: error)).message
        }
    }
}
