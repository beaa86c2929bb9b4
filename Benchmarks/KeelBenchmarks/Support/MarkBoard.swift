import Foundation
import Synchronization

/// Instants recorded from inside task bodies, for the scenarios that time what happens inside a
/// run (T: when its body starts; R: how long its replay took).
final class MarkBoard: Sendable {
    private struct State {
        var starts: [Int: ContinuousClock.Instant] = [:]
        var waiters: [Int: CheckedContinuation<ContinuousClock.Instant, Never>] = [:]
        var replays: [(entered: Date, replayed: Duration)] = []
    }

    private let state = Mutex(State())

    /// Records that the body of run `key` started now, waking whoever waits for it.
    func markStart(_ key: Int) {
        let now = ContinuousClock.now
        let waiter = state.withLock { state -> CheckedContinuation<ContinuousClock.Instant, Never>? in
            if let waiter = state.waiters.removeValue(forKey: key) { return waiter }
            state.starts[key] = now
            return nil
        }
        waiter?.resume(returning: now)
    }

    /// The instant the body of run `key` started, waiting for it if it has not yet.
    func start(of key: Int) async -> ContinuousClock.Instant {
        await withCheckedContinuation { continuation in
            let instant = state.withLock { state -> ContinuousClock.Instant? in
                if let instant = state.starts.removeValue(forKey: key) { return instant }
                state.waiters[key] = continuation
                return nil
            }
            if let instant { continuation.resume(returning: instant) }
        }
    }

    /// Records one replay: when the replaying body was entered and how long the replayed calls took.
    func recordReplay(entered: Date, replayed: Duration) {
        state.withLock { $0.replays.append((entered, replayed)) }
    }

    /// The replays recorded so far.
    var replays: [(entered: Date, replayed: Duration)] { state.withLock { $0.replays } }
}
