/// Marks an error that retrying cannot fix: invalid input, a refused authorization.
///
/// A step that throws a `NonRetryableError` fails at once, whatever its ``RetryPolicy``; a task
/// that throws one fails its run at once.
///
/// ```swift
/// struct InvalidAddress: NonRetryableError { var address: String }
/// ```
public protocol NonRetryableError: Error {}

/// Fails the run at once, with no retries: throw it from a task or a step when going on is pointless.
///
/// ```swift
/// guard approval.granted else { throw AbortRunError("refused by \(approval.reviewer)") }
/// ```
public struct AbortRunError: NonRetryableError, CustomStringConvertible, Sendable {
    /// Why the run was aborted.
    public var message: String

    /// Creates an error that aborts the run with `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
