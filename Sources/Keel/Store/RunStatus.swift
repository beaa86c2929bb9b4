/// Where a run is in its life. The same words appear in the API, the CLI and the dashboard.
public enum RunStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Created and due (or scheduled for later); no worker has it.
    case queued
    /// A worker holds its lease and is executing it.
    case running
    /// Suspended until something wakes it: a timer (sleep, retry backoff), an event, or children.
    case waiting
    /// Finished with an output.
    case completed
    /// Finished with an error, after its retries.
    case failed
    /// Stopped on request.
    case cancelled
    /// Not started before its time-to-live ran out.
    case expired
    /// Stopped because its code no longer matches its journal (non-determinism).
    /// The journal is untouched; resume the run once fixed code is deployed, or cancel it.
    case parked

    /// Whether the run has reached an outcome that will never change.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled, .expired: true
        case .queued, .running, .waiting, .parked: false
        }
    }

    /// Whether a worker may claim the run when it is due.
    public var isClaimable: Bool {
        switch self {
        case .queued, .running, .waiting: true
        case .completed, .failed, .cancelled, .expired, .parked: false
        }
    }

    public var description: String { rawValue }
}
