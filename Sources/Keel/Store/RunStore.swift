public import Foundation

/// Durable storage for runs, their journals and what wakes them.
///
/// Every method is one transaction. Times come from the engine's clock (the `now` parameters),
/// never from the store's, so tests can skip time. Writes about a run in flight present its
/// ``Lease`` and fail with ``KeelError/Code/leaseLost`` if the lease was taken over (fencing).
///
/// `KeelSQLite` provides ``RunStore`` on an embedded SQLite file (`.sqlite(path:)`); every store
/// passes the same conformance tests.
public protocol RunStore: Sendable {
    /// Creates a run; with `lease`, already leased to the triggering worker (local hand-off),
    /// which saves a claim.
    func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun

    /// Leases up to `request.limit` due runs of `request.queue` to `request.workerID`, oldest due first.
    ///
    /// A run is due when it is queued or waiting and its time has come, or when the lease of the
    /// worker executing it has lapsed.
    func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun]

    /// Appends `transition.entries` to the run's journal and applies `transition.change`, in one
    /// transaction, if `lease` is still the run's current lease.
    /// - Throws: ``KeelError/Code/leaseLost`` when it is not; nothing is written then.
    func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws

    /// Extends every lease `workerID` holds to `expiresAt` (the heartbeat).
    func renewLeases(workerID: String, expiresAt: Date) async throws

    /// Releases every lease `workerID` holds so other workers can claim the runs at once.
    func releaseLeases(workerID: String, now: Date) async throws

    /// Cancels a run that has not finished. Returns the run after the change.
    /// - Throws: ``KeelError/Code/runNotFound``.
    func cancelRun(_ id: RunID, now: Date) async throws -> RunRecord

    /// Makes a parked run claimable again, to be replayed by (fixed) code.
    /// - Throws: ``KeelError/Code/runNotFound``, or ``KeelError/Code/invalidState`` if it is not parked.
    func resumeParkedRun(_ id: RunID, now: Date) async throws -> RunRecord

    /// The run with `id`, if it exists.
    func run(_ id: RunID) async throws -> RunRecord?

    /// The run's journal, in sequence order.
    func journal(_ id: RunID) async throws -> [JournalEntry]

    /// The earliest time a run of `queue` that another worker does not hold becomes due.
    func nextDueTime(queue: String, workerID: String) async throws -> Date?

    /// Runs matching `query`, newest first.
    func listRuns(_ query: RunQuery) async throws -> [RunRecord]
}
