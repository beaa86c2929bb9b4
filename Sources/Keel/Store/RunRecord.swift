public import Foundation

/// A run as the store keeps it: what it runs, where it is, and how it ended.
public struct RunRecord: Sendable, Hashable, Codable {
    /// The run's identifier.
    public var id: RunID
    /// The registered name of its task.
    public var taskName: String
    /// The task version the run started on.
    public var taskVersion: String
    /// The queue it runs on.
    public var queue: String
    /// Where it is in its life.
    public var status: RunStatus
    /// Its input, as JSON.
    public var input: Data
    /// Its output, as JSON, once completed.
    public var output: Data?
    /// Its error, once failed or parked (or cancelled with a reason).
    public var error: RecordedError?
    /// The run attempt: 1, plus one for each task-level retry.
    public var attempt: Int
    /// When it was triggered.
    public var createdAt: Date
    /// When a worker first started it.
    public var startedAt: Date?
    /// When it reached a terminal status.
    public var finishedAt: Date?
    /// When its record last changed.
    public var updatedAt: Date
    /// When it is due: a queued run's scheduled start, a waiting run's timer.
    public var wakeAt: Date?
    /// The worker holding its lease, if any.
    public var leaseOwner: String?
    /// When that lease lapses.
    public var leaseExpiresAt: Date?
    /// The run that triggered this one, for a child run.
    public var parentID: RunID?
    /// The key whose concurrency limit it counts against.
    public var concurrencyKey: String?
    /// Its priority (a time offset; zero by default).
    public var priority: Duration = .zero
    /// Its labels.
    public var tags: [String] = []
    /// When it expires if it has not started (time to live).
    public var expiresAt: Date?
    /// The idempotency key it was triggered with.
    public var idempotencyKey: String?
    /// The schedule that created it.
    public var scheduleID: String?

    /// Creates a record.
    public init(
        id: RunID, taskName: String, taskVersion: String, queue: String, status: RunStatus, input: Data,
        output: Data? = nil, error: RecordedError? = nil, attempt: Int = 1, createdAt: Date, startedAt: Date? = nil,
        finishedAt: Date? = nil, updatedAt: Date, wakeAt: Date? = nil, leaseOwner: String? = nil, leaseExpiresAt: Date? = nil,
        parentID: RunID? = nil, concurrencyKey: String? = nil, priority: Duration = .zero, tags: [String] = [],
        expiresAt: Date? = nil, idempotencyKey: String? = nil, scheduleID: String? = nil
    ) {
        self.id = id
        self.taskName = taskName
        self.taskVersion = taskVersion
        self.queue = queue
        self.status = status
        self.input = input
        self.output = output
        self.error = error
        self.attempt = attempt
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
        self.wakeAt = wakeAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.parentID = parentID
        self.concurrencyKey = concurrencyKey
        self.priority = priority
        self.tags = tags
        self.expiresAt = expiresAt
        self.idempotencyKey = idempotencyKey
        self.scheduleID = scheduleID
    }
}

/// A run a worker holds, with the lease that lets it write.
public struct ClaimedRun: Sendable {
    /// The run as it was when claimed.
    public var record: RunRecord
    /// The lease to present with every write.
    public var lease: Lease
    /// The run's journal when the store knows it without reading it (a run never leased
    /// before has none), saving the engine a read; `nil` makes the engine read it.
    public var journal: [JournalEntry]?

    /// Creates a claimed run.
    public init(record: RunRecord, lease: Lease, journal: [JournalEntry]? = nil) {
        self.record = record
        self.lease = lease
        self.journal = journal
    }
}
