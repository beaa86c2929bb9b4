public import Foundation

/// One event in a run's journal (its event history).
///
/// Every durable call a task makes through its ``TaskContext`` takes the next *position* and
/// records its outcome there: a step's result, a sleep's wake time, a recorded `now()`. Failed
/// attempts of a step are journaled at the step's position too, before its outcome. On replay the
/// entry at each position answers the call instead of running it again.
public struct JournalEntry: Sendable, Hashable, Codable {
    /// What an entry records. New kinds may be added; match the ones you handle.
    public struct Kind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A step completed; `payload` is its JSON result.
        public static let stepCompleted = Kind(rawValue: "step.completed")
        /// A step attempt failed and will be retried at `wakeAt`; `error` says why.
        public static let stepAttemptFailed = Kind(rawValue: "step.attempt_failed")
        /// A step failed for good; replays rethrow `error` as a ``StepFailedError``.
        public static let stepFailed = Kind(rawValue: "step.failed")
        /// A durable sleep until `wakeAt`.
        public static let sleep = Kind(rawValue: "sleep")
        /// A recorded ``TaskContext/now()``; `payload` is the time in milliseconds since 1970.
        public static let now = Kind(rawValue: "now")
        /// A recorded ``TaskContext/uuid()``; `payload` is the UUID string.
        public static let uuid = Kind(rawValue: "uuid")
        /// A recorded ``TaskContext/random()``; `payload` is the number.
        public static let random = Kind(rawValue: "random")
        /// The task threw outside a step and is retried from the top at `wakeAt` (run attempt `attempt`).
        public static let runRetried = Kind(rawValue: "run.retried")
        /// The run was cancelled; `error` says by what.
        public static let runCancelled = Kind(rawValue: "run.cancelled")
        /// The run expired before it started (time to live).
        public static let runExpired = Kind(rawValue: "run.expired")
        /// A waitpoint token was created; `payload` is the ``WaitToken``.
        public static let tokenCreated = Kind(rawValue: "token.created")
        /// Child runs were triggered; `payload` lists their ids (and the waitpoint when awaited).
        public static let childrenTriggered = Kind(rawValue: "children.triggered")
        /// A wait (token, event, children) completed; `payload` is what completed it.
        public static let waitCompleted = Kind(rawValue: "wait.completed")
        /// A wait timed out.
        public static let waitTimedOut = Kind(rawValue: "wait.timed_out")

        public var description: String { rawValue }
    }

    /// The run this entry belongs to.
    public var runID: RunID
    /// The entry's order in the run's journal, from 0.
    public var sequence: Int
    /// The durable call this entry belongs to, from 0; `nil` for run-level events.
    public var position: Int?
    /// What the entry records.
    public var kind: Kind
    /// The call's name: the step name, or the operation (`sleep`, `now`…).
    public var name: String
    /// The attempt number: of the step for step entries, of the run for run-level entries.
    public var attempt: Int
    /// The recorded JSON value, if any.
    public var payload: Data?
    /// The recorded error, if any.
    public var error: RecordedError?
    /// When the work this entry records began (a step's attempt), if it took time.
    public var startedAt: Date?
    /// When the run wakes: a sleep's end, or the next attempt after a failure.
    public var wakeAt: Date?
    /// When the entry was written.
    public var recordedAt: Date

    /// Creates an entry.
    public init(
        runID: RunID, sequence: Int, position: Int?, kind: Kind, name: String, attempt: Int = 1,
        payload: Data? = nil, error: RecordedError? = nil, startedAt: Date? = nil, wakeAt: Date? = nil, recordedAt: Date
    ) {
        self.runID = runID
        self.sequence = sequence
        self.position = position
        self.kind = kind
        self.name = name
        self.attempt = attempt
        self.payload = payload
        self.error = error
        self.startedAt = startedAt
        self.wakeAt = wakeAt
        self.recordedAt = recordedAt
    }
}
