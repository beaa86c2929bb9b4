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
    /// The run that triggered it, for a child run.
    public var parentID: RunID?
    /// The parent's waitpoint this child settles, when the parent waits for it.
    public var parentWaitpointID: String?
    /// Its index in the parent's batch, for a child run.
    public var batchIndex: Int?
    /// How far ahead of runs due at the same time it is claimed (a time offset).
    public var priority: Duration
    /// The key whose concurrency limit it counts against.
    public var concurrencyKey: String?
    /// When it expires if it has not started by then (time to live).
    public var expiresAt: Date?
    /// A key that makes a second trigger within `idempotencyKeyExpiresAt` return this run.
    public var idempotencyKey: String?
    /// Until when the idempotency key holds.
    public var idempotencyKeyExpiresAt: Date?
    /// A key whose later triggers, while this run has not started, replace its input and push
    /// its start back (debounce).
    public var debounceKey: String?
    /// Labels to find it by.
    public var tags: [String]
    /// The schedule that created it.
    public var scheduleID: String?

    /// Creates a run description.
    public init(
        id: RunID, taskName: String, taskVersion: String, queue: String, input: Data, createdAt: Date, availableAt: Date,
        parentID: RunID? = nil, parentWaitpointID: String? = nil, batchIndex: Int? = nil, priority: Duration = .zero,
        concurrencyKey: String? = nil, expiresAt: Date? = nil, idempotencyKey: String? = nil,
        idempotencyKeyExpiresAt: Date? = nil, debounceKey: String? = nil, tags: [String] = [], scheduleID: String? = nil
    ) {
        self.id = id
        self.taskName = taskName
        self.taskVersion = taskVersion
        self.queue = queue
        self.input = input
        self.createdAt = createdAt
        self.availableAt = availableAt
        self.parentID = parentID
        self.parentWaitpointID = parentWaitpointID
        self.batchIndex = batchIndex
        self.priority = priority
        self.concurrencyKey = concurrencyKey
        self.expiresAt = expiresAt
        self.idempotencyKey = idempotencyKey
        self.idempotencyKeyExpiresAt = idempotencyKeyExpiresAt
        self.debounceKey = debounceKey
        self.tags = tags
        self.scheduleID = scheduleID
    }
}

/// Which due runs a worker asks for, and for how long it leases them.
public struct ClaimRequest: Sendable, Hashable {
    /// The queues to claim from, with their limits.
    public var queues: [QueueDefinition]
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
    public init(queues: [QueueDefinition], workerID: String, taskNames: [String], limit: Int, now: Date, leaseExpiresAt: Date) {
        self.queues = queues
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
    /// Only runs carrying this tag.
    public var tag: String?
    /// Only the run triggered with this idempotency key (per task, so at most one per task).
    public var idempotencyKey: String?
    /// Only children of this run.
    public var parentID: RunID?
    /// Only runs created at or after this time.
    public var createdFrom: Date?
    /// Only runs created before this time.
    public var createdTo: Date?
    /// Only runs older than this id (the cursor of the previous page).
    public var before: RunID?
    /// The page size.
    public var limit: Int

    /// Creates a query.
    public init(
        taskName: String? = nil, statuses: [RunStatus] = [], tag: String? = nil, parentID: RunID? = nil,
        createdFrom: Date? = nil, createdTo: Date? = nil, before: RunID? = nil, limit: Int = 50, idempotencyKey: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.taskName = taskName
        self.statuses = statuses
        self.tag = tag
        self.parentID = parentID
        self.createdFrom = createdFrom
        self.createdTo = createdTo
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

    /// Runs to create in the same transaction (children of this run).
    public var newRuns: [NewRun] = []
    /// Waitpoints to create in the same transaction (tokens, a batch's completion).
    public var newWaitpoints: [Waitpoint] = []

    /// Log lines the run wrote since its last commit, to store in the same transaction, oldest
    /// first, while the run holds fewer than ``maximumLogLinesPerRun`` lines (see
    /// ``RunStore/appendRunLogs(_:maximumPerRun:)``). The engine fills this in.
    public var logs: [RunLogLine] = []
    /// The most log lines the store keeps for the run.
    public var maximumLogLinesPerRun: Int = 1000

    /// Entries to append, in sequence order.
    public var entries: [JournalEntry]
    /// The change to the run.
    public var change: Change

    /// Creates a transition.
    public init(entries: [JournalEntry] = [], change: Change = .none, newRuns: [NewRun] = [], newWaitpoints: [Waitpoint] = []) {
        self.entries = entries
        self.change = change
        self.newRuns = newRuns
        self.newWaitpoints = newWaitpoints
    }
}

/// The result of creating a run.
public struct CreatedRun: Sendable {
    /// The run as stored.
    public var record: RunRecord
    /// The lease, when the run was created already leased to the triggering worker.
    public var lease: Lease?
    /// Whether `record` is an existing run returned for an idempotency or debounce key.
    public var isExisting: Bool = false

    /// Creates the result.
    public init(record: RunRecord, lease: Lease?, isExisting: Bool = false) {
        self.record = record
        self.lease = lease
        self.isExisting = isExisting
    }
}

/// How many runs of one queue are in one status, for queue depth.
public struct RunCount: Sendable, Hashable {
    /// The queue.
    public var queue: String
    /// The status.
    public var status: RunStatus
    /// How many runs.
    public var count: Int

    /// Creates a count.
    public init(queue: String, status: RunStatus, count: Int) {
        self.queue = queue
        self.status = status
        self.count = count
    }
}
