import Synchronization

/// A counting semaphore for the engine's execution slots, with FIFO waiters.
///
/// A released slot goes to a waiting run first (a run resuming after an in-memory wait), so
/// runs already in flight finish before new ones are claimed.
final class SlotPool: Sendable {
    private struct State {
        var available: Int
        var nextWaiterID: UInt64 = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state: Mutex<State>
    private let onRelease: @Sendable () -> Void

    init(capacity: Int, onRelease: @escaping @Sendable () -> Void) {
        state = Mutex(State(available: capacity))
        self.onRelease = onRelease
    }

    /// Free slots right now.
    var available: Int { state.withLock { $0.available } }

    /// Takes up to `count` free slots without waiting; returns how many it took.
    func tryAcquire(upTo count: Int) -> Int {
        state.withLock { state in
            let taken = min(count, state.available)
            state.available -= taken
            return taken
        }
    }

    /// Takes a slot, waiting for one if none is free.
    /// - Throws: `CancellationError` if the task is cancelled while waiting.
    func acquire() async throws {
        let waiterID: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let waiterID else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiters.append((waiterID, continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Returns `count` slots, handing them to waiters first.
    /// - Parameter announce: whether to call `onRelease` when slots became free; the claim loop
    ///   returning slots it did not fill passes `false`, or it would wake itself forever.
    func release(_ count: Int = 1, announce: Bool = true) {
        guard count > 0 else { return }
        let woken = state.withLock { state in
            var woken: [CheckedContinuation<Void, any Error>] = []
            for _ in 0..<count {
                if state.waiters.isEmpty {
                    state.available += 1
                } else {
                    woken.append(state.waiters.removeFirst().continuation)
                }
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
        if announce && woken.count < count { onRelease() }
    }
}
