public import Keel

/// `demo.flaky`: a step that fails its first `failures` attempts with a retryable error, then
/// succeeds; the journal shows every failed attempt and its backoff.
public struct DemoFlaky: TaskDefinition {
    /// How many attempts fail.
    public struct Input: Codable, Sendable {
        /// Failed attempts before success (default 2; at most 9).
        public var failures: Int?

        /// Creates an input.
        public init(failures: Int? = nil) { self.failures = failures }
    }

    /// Which attempt succeeded.
    public struct Output: Codable, Sendable, Hashable {
        /// The attempt that succeeded: `failures + 1`.
        public var succeededOnAttempt: Int
    }

    /// The error of the failing attempts: retryable.
    public struct FlakyServiceError: Error, CustomStringConvertible {
        /// The attempt that failed.
        public var attempt: Int
        public var description: String { "the flaky service failed on attempt \(attempt)" }
    }

    public static let name = "demo.flaky"

    /// Creates the task.
    public init() {}

    public func run(input: Input, context: TaskContext) async throws -> Output {
        let failures = min(max(input.failures ?? 2, 0), 9)
        let retry = RetryPolicy(maximumAttempts: failures + 1, initialDelay: .milliseconds(200), backoffFactor: 2, maximumDelay: .seconds(5))
        let attempt = try await context.step("call flaky service", retry: retry) {
            let attempt = context.stepAttempt ?? 1
            if attempt <= failures { throw FlakyServiceError(attempt: attempt) }
            return attempt
        }
        return Output(succeededOnAttempt: attempt)
    }
}
