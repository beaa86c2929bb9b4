import ArgumentParser

/// A failure the command reports as one line on standard error, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
    /// What went wrong.
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
