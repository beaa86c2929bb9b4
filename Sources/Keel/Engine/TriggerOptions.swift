public import Foundation

/// Per-trigger options: when the run may start, where it queues, and how duplicates collapse.
public struct TriggerOptions: Sendable, Hashable, Codable {
    /// Start no earlier than this long after triggering.
    public var delay: Duration?
    /// Start no earlier than this time (the later of `delay` and `startAt` wins).
    public var startAt: Date?
    /// The queue to run on instead of the task's own.
    public var queue: String?
    /// The key whose concurrency limit (``QueueDefinition/concurrencyLimitPerKey``) the run
    /// counts against, for example a tenant id.
    public var concurrencyKey: String?
    /// How far ahead of runs that became due at the same time this run is claimed: a run with
    /// priority 60 s is claimed before runs queued up to 60 s before it, and after older ones.
    /// A time offset, so low-priority runs are never starved.
    public var priority: Duration?
    /// Labels to find the run by.
    public var tags: [String]
    /// If the run has not started this long after it became due, it expires (status `expired`).
    public var timeToLive: Duration?
    /// A key that makes a second trigger of the same task return the first run instead of
    /// creating another, for ``idempotencyKeyTTL``.
    public var idempotencyKey: String?
    /// How long ``idempotencyKey`` holds; 24 hours by default.
    public var idempotencyKeyTTL: Duration?
    /// Debounce: triggers of the same task with the same key collapse into one run that starts
    /// `delay` after the last of them, with the last one's input.
    public var debounce: Debounce?

    /// A debounce key and its quiet period.
    public struct Debounce: Sendable, Hashable, Codable {
        /// Triggers sharing this key collapse.
        public var key: String
        /// The quiet period after the last trigger before the run starts.
        public var delay: Duration

        /// Creates a debounce on `key` with the quiet period `delay`.
        public init(key: String, delay: Duration) {
            self.key = key
            self.delay = delay
        }
    }

    /// Creates options; by default the run starts at once on its task's queue.
    public init(
        delay: Duration? = nil, startAt: Date? = nil, queue: String? = nil, concurrencyKey: String? = nil,
        priority: Duration? = nil, tags: [String] = [], timeToLive: Duration? = nil, idempotencyKey: String? = nil,
        idempotencyKeyTTL: Duration? = nil, debounce: Debounce? = nil
    ) {
        self.delay = delay
        self.startAt = startAt
        self.queue = queue
        self.concurrencyKey = concurrencyKey
        self.priority = priority
        self.tags = tags
        self.timeToLive = timeToLive
        self.idempotencyKey = idempotencyKey
        self.idempotencyKeyTTL = idempotencyKeyTTL
        self.debounce = debounce
    }

    /// The default lifetime of an idempotency key.
    public static let defaultIdempotencyKeyTTL: Duration = .seconds(24 * 3600)

    /// Checks the values make sense.
    func validate() throws {
        for (label, value) in [("delay", delay), ("timeToLive", timeToLive), ("idempotencyKeyTTL", idempotencyKeyTTL), ("debounce.delay", debounce?.delay)] {
            if let value, value < .zero {
                throw KeelError(.invalidInput, "trigger option \(label) must not be negative, got \(value)")
            }
        }
        if let timeToLive, timeToLive == .zero {
            throw KeelError(.invalidInput, "trigger option timeToLive must be positive")
        }
        for (label, value) in [("queue", queue), ("concurrencyKey", concurrencyKey), ("idempotencyKey", idempotencyKey), ("debounce.key", debounce?.key)] {
            if let value, value.isEmpty { throw KeelError(.invalidInput, "trigger option \(label) must not be empty") }
        }
        if idempotencyKey != nil, debounce != nil {
            throw KeelError(.invalidInput, "trigger options idempotencyKey and debounce cannot be combined")
        }
    }
}
