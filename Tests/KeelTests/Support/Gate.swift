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
