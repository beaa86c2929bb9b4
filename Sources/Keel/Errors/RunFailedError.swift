/// Thrown by ``RunHandle/result()`` when a run ended without an output.
public struct RunFailedError: Error, Sendable, CustomStringConvertible {
    /// The run.
    public var runID: RunID
    /// How it ended: ``RunStatus/failed``, ``RunStatus/cancelled``, ``RunStatus/expired`` or ``RunStatus/parked``.
    public var status: RunStatus
    /// The recorded error, when there is one.
    public var error: RecordedError?

    /// Creates the error for `runID` ending in `status`.
    public init(runID: RunID, status: RunStatus, error: RecordedError?) {
        self.runID = runID
        self.status = status
        self.error = error
    }

    public var description: String {
        "run \(runID) \(status)" + (error.map { ": \($0.message)" } ?? "")
    }
}
