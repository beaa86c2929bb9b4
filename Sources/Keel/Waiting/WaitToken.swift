public import Foundation

/// A waitpoint token: an id that anything outside the run (a person approving, a webhook) can
/// complete with a JSON payload, through ``KeelEngine/completeToken(_:payload:)`` or
/// `POST /api/v1/tokens/{id}/complete`. Create one with ``TaskContext/createToken(timeout:)``,
/// hand its id out, then ``TaskContext/wait(for:as:)``.
///
/// A token completed before the run waits on it is not lost: the wait returns at once.
public struct WaitToken: Sendable, Hashable, Codable {
    /// The token's id.
    public var id: String
    /// When it times out, if it does.
    public var timeoutAt: Date?

    /// Creates a token value (the engine creates real ones).
    public init(id: String, timeoutAt: Date?) {
        self.id = id
        self.timeoutAt = timeoutAt
    }

    /// The HTTP API path that completes this token.
    public var callbackPath: String { "/api/v1/tokens/\(id)/complete" }
}

/// A wait (for a token, an event) timed out before it was completed. Catch it to take another
/// path; uncaught, it fails the run (it is not retried: a replay would time out again).
public struct WaitTimeoutError: NonRetryableError, CustomStringConvertible, Hashable {
    /// What was waited for, for example `token tok_…` or `event order.paid`.
    public var waitedFor: String
    /// When the wait timed out.
    public var timeoutAt: Date?

    /// Creates the error.
    public init(waitedFor: String, timeoutAt: Date?) {
        self.waitedFor = waitedFor
        self.timeoutAt = timeoutAt
    }

    public var description: String {
        "the wait for \(waitedFor) timed out" + (timeoutAt.map { " at \($0.formatted(.iso8601))" } ?? "")
    }
}
