/// An error from Keel itself: bad input, an unknown task, a lost lease, a store failure.
///
/// The message names what was wrong; ``Code`` lets callers branch without parsing it.
public struct KeelError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem this is. New codes may be added; match the ones you handle.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// No task with that name is registered with the engine.
        public static let unknownTask = Code(name: "unknownTask")
        /// The run's input is not valid JSON or does not decode into the task's `Input`.
        public static let invalidInput = Code(name: "invalidInput")
        /// A value could not be encoded to JSON (a step result, an output, an input).
        public static let encodingFailed = Code(name: "encodingFailed")
        /// A payload is larger than ``KeelEngine/Configuration/maximumPayloadBytes``.
        public static let payloadTooLarge = Code(name: "payloadTooLarge")
        /// No run with that id exists.
        public static let runNotFound = Code(name: "runNotFound")
        /// No waitpoint token with that id exists.
        public static let tokenNotFound = Code(name: "tokenNotFound")
        /// No schedule with that id exists.
        public static let scheduleNotFound = Code(name: "scheduleNotFound")
        /// This worker no longer holds the run's lease: another worker took it, or it was cancelled.
        public static let leaseLost = Code(name: "leaseLost")
        /// The operation does not apply to the run in its current status.
        public static let invalidState = Code(name: "invalidState")
        /// A configuration value is out of range.
        public static let invalidConfiguration = Code(name: "invalidConfiguration")
        /// The store failed (disk, database, schema).
        public static let storeFailure = Code(name: "storeFailure")

        public var description: String { name }
    }

    /// What kind of problem this is.
    public var code: Code
    /// A message naming what was wrong.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message) (\(underlying))" }
        return message
    }
}

extension KeelError {
    /// Whether retrying the same work could succeed: store failures may pass, bad data will not.
    var isRetryable: Bool { code == .storeFailure }
}
