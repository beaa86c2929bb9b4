public import Foundation

/// The source of time for an engine: wall-clock time for timestamps, and sleeping until a time.
///
/// Production uses ``SystemClock``; tests use `VirtualClock` from `KeelTesting`, which skips
/// through sleeps, backoffs and lease expiry as fast as the test advances it.
public protocol KeelClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Suspends until `deadline`, or throws `CancellationError` if the task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
public struct SystemClock: KeelClock {
    /// Creates the system clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval <= 0 { return }
        try await Task.sleep(for: .seconds(interval))
    }
}

extension KeelClock where Self == SystemClock {
    /// The system's wall clock.
    public static var system: SystemClock { SystemClock() }
}

extension Date {
    /// This date moved forward by `duration`.
    package func adding(_ duration: Duration) -> Date { addingTimeInterval(duration.seconds) }

    /// Milliseconds since 1970, the unit every store keeps times in.
    package var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The date `milliseconds` after 1970.
    package init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
