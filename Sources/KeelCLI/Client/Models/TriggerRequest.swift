import Keel

/// The body of `POST /api/v1/tasks/{task}/trigger`: `{"input": …, "options": Options?}`.
struct TriggerRequest: Encodable, Sendable {
    /// Per-trigger options; a field left `nil` is not sent.
    struct Options: Encodable, Sendable, Equatable {
        /// Runs triggered with the same key are one run.
        var idempotencyKey: String?
        /// How long to wait before the run is due (seconds, or a string with a unit).
        var delay: JSONValue?
        /// The queue, instead of the task's.
        var queue: String?
        /// The concurrency key for per-key limits.
        var concurrencyKey: String?
        /// How far ahead of its creation time the run is ordered.
        var priority: JSONValue?
        /// Tags to find the run by.
        var tags: [String]?
        /// How long the run may stay queued before it expires.
        var ttl: JSONValue?

        /// Whether no option is set, so `options` can be left out.
        var isEmpty: Bool { self == Options() }
    }

    /// The task's input.
    var input: JSONValue
    /// The options, left out when there are none.
    var options: Options?
}
