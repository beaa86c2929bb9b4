import Synchronization

/// Which of a store's requests for a pooled connection wait, and since when: the connections
/// running engines hold for their statements (see ``PostgresRunStore/listenForWork(_:)``) go
/// back to the pool while a request has waited long, so that a small pool never starves the
/// store's transactions.
final class PoolPressure: Sendable {
    /// A request for a pooled connection, until it is granted or abandoned.
    struct Wait: Sendable {
        fileprivate let number: Int
    }

    private struct State {
        var waiting: [Int: ContinuousClock.Instant] = [:]
        var nextNumber = 0
    }

    private let state = Mutex(State())

    /// Records a request for a pooled connection, made now.
    func begin() -> Wait {
        state.withLock { state in
            state.nextNumber += 1
            state.waiting[state.nextNumber] = .now
            return Wait(number: state.nextNumber)
        }
    }

    /// Records that `wait` ended (granted, failed or cancelled). Ending it twice is harmless.
    func end(_ wait: Wait) {
        _ = state.withLock { $0.waiting.removeValue(forKey: wait.number) }
    }

    /// Whether a request has waited longer than `patience`.
    func isShort(patience: Duration) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in state.waiting.values.contains { now - $0 > patience } }
    }
}
