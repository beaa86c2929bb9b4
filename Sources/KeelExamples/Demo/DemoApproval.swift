public import Keel
import Logging

/// `demo.approval`: creates a waitpoint token, waits for someone to complete it, and returns
/// the payload it was completed with (a human-in-the-loop approval).
///
/// The token's id is in the run's journal (`token.created`); complete it with
/// `POST /api/v1/tokens/{token}/complete` or `keel tokens complete TOKEN --payload JSON`.
public struct DemoApproval: TaskDefinition {
    /// What to approve, and how long to wait.
    public struct Input: Codable, Sendable {
        /// What the approval is for.
        public var subject: String?
        /// How long to wait before giving up, in seconds (default a week).
        public var timeoutSeconds: Double?

        /// Creates an input.
        public init(subject: String? = nil, timeoutSeconds: Double? = nil) {
            self.subject = subject
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// The token and what completed it.
    public struct Output: Codable, Sendable, Hashable {
        /// The token the run waited on.
        public var token: String
        /// The payload the token was completed with.
        public var payload: JSONValue
    }

    public static let name = "demo.approval"

    /// Creates the task.
    public init() {}

    public func run(input: Input, context: TaskContext) async throws -> Output {
        let timeout = Duration.milliseconds(Int64((input.timeoutSeconds ?? 7 * 86_400) * 1000))
        let token = try await context.createToken(timeout: timeout)
        context.logger.info("waiting for approval", metadata: ["keel.token.id": .string(token.id)])
        let payload = try await context.wait(for: token, as: JSONValue.self)
        return Output(token: token.id, payload: payload)
    }
}
