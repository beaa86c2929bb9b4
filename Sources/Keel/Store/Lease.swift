public import Foundation

/// A worker's exclusive, expiring right to execute a run and write its journal.
///
/// Every journal write presents the lease; the store refuses it (``KeelError/Code/leaseLost``)
/// once another worker has claimed the run, which increments ``token``: a worker that was
/// partitioned or paused past its lease can no longer write (fencing).
public struct Lease: Sendable, Hashable, Codable {
    /// The leased run.
    public var runID: RunID
    /// The worker holding it.
    public var workerID: String
    /// The fencing token: incremented by every claim of the run.
    public var token: Int64
    /// When the lease lapses unless renewed by a heartbeat.
    public var expiresAt: Date

    /// Creates a lease.
    public init(runID: RunID, workerID: String, token: Int64, expiresAt: Date) {
        self.runID = runID
        self.workerID = workerID
        self.token = token
        self.expiresAt = expiresAt
    }
}
