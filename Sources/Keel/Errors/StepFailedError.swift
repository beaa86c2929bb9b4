/// A step failed for good: it threw a non-retryable error or used up its retry policy.
///
/// The task receives this error from ``TaskContext/step(_:retry:operation:)-(_,_,()->Result)`` both when the
/// failure happens live and when it is replayed from the journal, so catching it is
/// deterministic. If the task does not catch it, the run fails (task-level retries apply only to
/// errors thrown outside steps, since the step has already been retried).
public struct StepFailedError: Error, Sendable, CustomStringConvertible {
    /// The step's name.
    public var stepName: String
    /// The step's position in the journal.
    public var position: Int
    /// How many attempts were made.
    public var attempts: Int
    /// The last attempt's error.
    public var underlying: RecordedError

    /// Creates the error for a step that failed at `position` after `attempts` attempts.
    public init(stepName: String, position: Int, attempts: Int, underlying: RecordedError) {
        self.stepName = stepName
        self.position = position
        self.attempts = attempts
        self.underlying = underlying
    }

    public var description: String {
        "step '\(stepName)' (position \(position)) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(underlying.message)"
    }
}
