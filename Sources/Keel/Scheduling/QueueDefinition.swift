/// A named queue and its limits. Runs wait in their queue until a worker serving it has a free
/// slot and the queue's limits allow one more.
///
/// ```swift
/// struct SendEmail: TaskDefinition {
///     static let queue = QueueDefinition("email", concurrencyLimit: 10, rateLimit: .init(limit: 100, period: .seconds(60)))
///     …
/// }
/// ```
public struct QueueDefinition: Sendable, Hashable, Codable {
    /// The queue's name.
    public var name: String
    /// The most runs of this queue executing at once across all workers; `nil` for no limit.
    public var concurrencyLimit: Int?
    /// The most runs sharing one ``TriggerOptions/concurrencyKey`` executing at once (for
    /// example one run per tenant); `nil` for no limit.
    public var concurrencyLimitPerKey: Int?
    /// The most runs of this queue started per period; `nil` for no limit.
    public var rateLimit: RateLimit?

    /// A rate: at most `limit` runs start in any window of `period`.
    public struct RateLimit: Sendable, Hashable, Codable {
        /// Runs per period.
        public var limit: Int
        /// The period.
        public var period: Duration

        /// Creates a rate limit of `limit` runs per `period`.
        public init(limit: Int, period: Duration) {
            self.limit = limit
            self.period = period
        }
    }

    /// Creates a queue definition.
    public init(_ name: String, concurrencyLimit: Int? = nil, concurrencyLimitPerKey: Int? = nil, rateLimit: RateLimit? = nil) {
        self.name = name
        self.concurrencyLimit = concurrencyLimit
        self.concurrencyLimitPerKey = concurrencyLimitPerKey
        self.rateLimit = rateLimit
    }

    /// Whether any limit applies (runs of such a queue are always claimed, never handed off).
    var hasLimits: Bool { concurrencyLimit != nil || concurrencyLimitPerKey != nil || rateLimit != nil }

    /// Checks the limits are positive.
    func validate() throws {
        if name.isEmpty { throw KeelError(.invalidConfiguration, "a queue name must not be empty") }
        for (label, value) in [("concurrencyLimit", concurrencyLimit), ("concurrencyLimitPerKey", concurrencyLimitPerKey), ("rateLimit.limit", rateLimit?.limit)] {
            if let value, value < 1 {
                throw KeelError(.invalidConfiguration, "queue '\(name)': \(label) must be at least 1, got \(value)")
            }
        }
        if let rateLimit, rateLimit.period <= .zero {
            throw KeelError(.invalidConfiguration, "queue '\(name)': rateLimit.period must be positive, got \(rateLimit.period)")
        }
    }
}
