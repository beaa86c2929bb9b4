/// A run's status, kept open to statuses a newer server may add.
struct RunStatus: RawRepresentable, Hashable, Sendable {
    /// The status as the API spells it.
    var rawValue: String

    /// Creates a status from its API spelling.
    init(rawValue: String) { self.rawValue = rawValue }

    /// Waiting for a worker.
    static let queued = RunStatus(rawValue: "queued")
    /// Executing.
    static let running = RunStatus(rawValue: "running")
    /// Sleeping or waiting for a token, an event or children.
    static let waiting = RunStatus(rawValue: "waiting")
    /// Finished with an output.
    static let completed = RunStatus(rawValue: "completed")
    /// Finished with an error.
    static let failed = RunStatus(rawValue: "failed")
    /// Cancelled.
    static let cancelled = RunStatus(rawValue: "cancelled")
    /// Past its time to live before it started.
    static let expired = RunStatus(rawValue: "expired")
    /// Stopped for a non-determinism; `keel runs resume` replays it.
    static let parked = RunStatus(rawValue: "parked")

    /// Whether the run's event stream ends at this status.
    var endsStream: Bool { [.completed, .failed, .cancelled, .expired, .parked].contains(self) }
}
