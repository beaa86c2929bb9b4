public import Foundation

/// A run to create.
public struct NewRun: Sendable, Hashable {
    /// Its identifier.
    public var id: RunID
    /// The registered task name.
    public var taskName: String
    /// The task version it starts on.
    public var taskVersion: String
    /// The queue it runs on.
    public var queue: String
    /// Its input, as JSON.
    public var input: Data
    /// When it was triggered.
    public var createdAt: Date
    /// When it may start (later than `createdAt` for a delayed run).
    public var availableAt: Date

    /// Creates a run description.
    public init(id: RunID, taskName: String, taskVersion: String, queue: String, input: Data, createdAt: Date, availableAt: Date) {
        self.id = id
        self.taskName = taskName
        self.taskVersion = taskVersion
        self.queue = queue
        self.input = input
        self.createdAt = createdAt
        self.availableAt = availableAt
    }
}

/// Which due runs a worker asks for, and for how long it leases them.
public struct ClaimRequest: Sendable, Hashable {
    /// The queue to claim from.
    public var queue: String
    /// The claiming worker.
    public var workerID: String
    /// The tasks this worker can run; runs of other tasks are left for other workers.
    public var taskNames: [String]
    /// The most runs to claim.
    public var limit: Int
    /// The time claims are judged against.
    public var now: Date
    /// When the new leases lapse unless renewed.
    public var leaseExpiresAt: Date

    /// Creates a claim request.
    public init(queue: String, workerID: String, taskNames: [String], limit: Int, now: Date, leaseExpiresAt: Date) {
        self.queue = queue
        self.workerID = workerID
        self.taskNames = taskNames
        self.limit = limit
        self.now = now
        self.leaseExpiresAt = leaseExpiresAt
    }
}

/// Filters for listing runs, newest first.
public struct RunQuery: Sendable, Hashable {
    /// Only runs of this task.
    public var taskName: String?
    /// Only runs in one of these statuses (all when empty).
    public var statuses: [RunStatus]
    /// Only runs older than this id (the cursor of the previous page).
    public var before: RunID?
    /// The page size.
    public var limit: Int

    /// Creates a query.
    public init(taskName: String? = nil, statuses: [RunStatus] = [], before: RunID? = nil, limit: Int = 50) {
        self.taskName = taskName
        self.statuses = statuses
        self.before = before
        self.limit = limit
    }
}

/// What a write does to a run, beside appending journal entries: one transaction in the store.
public struct RunTransition: Sendable {
    /// The change to the run's status and lease.
    public enum Change: Sendable, Hashable {
        /// Nothing beyond the entries: the run goes on.
        case none
        /// Back to ``RunStatus/running`` after a wait kept in memory.
        case running
        /// ``RunStatus/waiting`` with the lease kept: the suspended Swift task stays in this process.
        case waitingInMemory(wakeAt: Date?)
        /// Lease released, status `status` (waiting or queued), claimable again at `wakeAt`.
        case suspended(status: RunStatus, wakeAt: Date)
        /// Task-level retry: lease released, run attempt set to `attempt`, claimable at `wakeAt`.
        case retrying(attempt: Int, wakeAt: Date)
        /// Finished with `output` (JSON).
        case completed(output: Data)
        /// Finished with an error.
        case failed(RecordedError)
        /// Stopped by non-determinism; resumable.
        case parked(RecordedError)
    }

    /// Entries to append, in sequence order.
    public var entries: [JournalEntry]
    /// The change to the run.
    public var change: Change

    /// Creates a transition.
    public init(entries: [JournalEntry] = [], change: Change = .none) {
        self.entries = entries
        self.change = change
    }
}

/// The result of creating a run.
public struct CreatedRun: Sendable {
    /// The run as stored.
    public var record: RunRecord
    /// The lease, when the run was created already leased to the triggering worker.
    public var lease: Lease?

    /// Creates the result.
    public init(record: RunRecord, lease: Lease?) {
        self.record = record
        self.lease = lease
    }
}
