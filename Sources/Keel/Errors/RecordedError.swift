/// An error as the journal and the run record keep it: its type and its message.
///
/// Swift errors cannot be serialized in general, so Keel records what a person needs to
/// understand them. Replays rethrow the recorded error wrapped in ``StepFailedError``, the
/// same type the live run saw, so code that catches it behaves the same on replay.
public struct RecordedError: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    /// The Swift type of the original error, for example `MyApp.PaymentError`.
    public var type: String
    /// The error's description.
    public var message: String
    /// Whether the original error was marked as not worth retrying.
    public var isRetryable: Bool

    /// Creates a recorded error.
    public init(type: String, message: String, isRetryable: Bool = true) {
        self.type = type
        self.message = message
        self.isRetryable = isRetryable
    }

    /// Records `error`, keeping its type name and description.
    public init(_ error: any Error) {
        if let recorded = error as? RecordedError {
            self = recorded
            return
        }
        self.type = String(reflecting: Swift.type(of: error))
        self.message = String(describing: error)
        self.isRetryable = Self.isRetryable(error)
    }

    public var description: String { "\(type): \(message)" }

    /// Whether retrying could fix `error`: not for ``NonRetryableError``s nor for Keel's own data errors.
    static func isRetryable(_ error: any Error) -> Bool {
        if error is any NonRetryableError { return false }
        if let keelError = error as? KeelError { return keelError.isRetryable }
        if let recorded = error as? RecordedError { return recorded.isRetryable }
        return true
    }
}
