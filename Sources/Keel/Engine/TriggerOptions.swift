public import Foundation

/// Per-trigger options.
public struct TriggerOptions: Sendable, Hashable {
    /// Start no earlier than this long after triggering.
    public var delay: Duration?
    /// Start no earlier than this time (the later of `delay` and `startAt` wins).
    public var startAt: Date?

    /// Creates options; by default the run starts at once.
    public init(delay: Duration? = nil, startAt: Date? = nil) {
        self.delay = delay
        self.startAt = startAt
    }
}
