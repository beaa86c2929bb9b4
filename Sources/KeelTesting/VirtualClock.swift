public import Foundation
public import Keel
import Synchronization

/// A clock that moves only when the test says so: sleeps, retry backoffs, lease expiry and
/// timers complete as soon as the test advances past them, so hours pass in microseconds.
///
/// ```swift
/// let clock = VirtualClock()
/// let run = try await engine.trigger(Nap.self, input: .init(hours: 2))
/// await clock.advance(by: .seconds(7200))
/// ```
public final class VirtualClock: KeelClock {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
    }

    private let state: Mutex<State>

    /// Creates a clock that reads `start` until advanced.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: start))
    }

    public func now() -> Date { state.withLock { $0.now } }

    /// The number of tasks sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Whether some task sleeps on this clock until exactly `deadline`: a test waits for this
    /// before advancing, so the sleep it means to end has begun.
    public func hasSleeper(until deadline: Date) -> Bool {
        state.withLock { $0.sleepers.values.contains { $0.deadline == deadline } }
    }

    /// The earliest time a sleeper waits for, if any.
    public var nextDeadline: Date? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: Date) async throws {
        let id: UInt64? = state.withLock { state in
            guard deadline > state.now else { return nil }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        await advance(to: now().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18))
    }

    /// Moves time forward to `date` (never backward), waking sleepers due by then, earliest first.
    public func advance(to date: Date) async {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, date)
            let now = state.now
            let dueIDs = state.sleepers.filter { $0.value.deadline <= now }.keys
            return dueIDs.compactMap { state.sleepers.removeValue(forKey: $0) }.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
        // Give woken tasks a chance to run before the test goes on.
        for _ in 0..<10 { await Task.yield() }
    }
}
