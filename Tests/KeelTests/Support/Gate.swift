import Synchronization

/// A gate a step can wait at until the test opens it. Waiting is cancellable.
final class Gate: Sendable {
    private let isOpen = Mutex(false)

    func open() { isOpen.withLock { $0 = true } }

    func wait() async throws {
        while !isOpen.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Lets steps through a given number at a time, as the test opens it. Waiting is cancellable.
final class Turnstile: Sendable {
    private let passes = Mutex(0)

    func open(_ count: Int) { passes.withLock { $0 += count } }

    func pass() async throws {
        while !passes.withLock({ passes in
            guard passes > 0 else { return false }
            passes -= 1
            return true
        }) {
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}
