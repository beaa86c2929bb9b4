import Synchronization

/// A one-way gate: closed until `open()`, then every `wait()` returns at once. Signals draining.
final class Latch: Sendable {
    private let notifier = Notifier<Int>()
    private let opened = Mutex(false)

    init() {}

    var isOpen: Bool { opened.withLock { $0 } }

    func open() {
        opened.withLock { $0 = true }
        notifier.notify(0)
    }

    /// Returns once the latch is open, or when the task is cancelled.
    func wait() async {
        let ticket = notifier.arm(0)
        if isOpen {
            notifier.disarm(ticket)
            return
        }
        await notifier.wait(ticket)
    }
}
