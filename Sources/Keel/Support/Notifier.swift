import Synchronization

/// Wakes tasks waiting for something about a key (a run settled, new work arrived), without
/// losing a notification that comes between checking and waiting.
///
/// Arm a ticket, check the condition, then wait on the ticket: a `notify` after `arm` is kept.
final class Notifier<Key: Hashable & Sendable>: Sendable {
    /// A registration to wait on.
    struct Ticket: Sendable {
        fileprivate let key: Key
        fileprivate let id: UInt64
    }

    private enum Slot {
        case armed
        case fired
        case waiting(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var nextID: UInt64 = 0
        var slots: [Key: [UInt64: Slot]] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Registers interest in `key`; notifications from now on are kept for the ticket.
    func arm(_ key: Key) -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.slots[key, default: [:]][state.nextID] = .armed
            return Ticket(key: key, id: state.nextID)
        }
    }

    /// Wakes every ticket armed for `key`.
    func notify(_ key: Key) {
        let continuations = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard var slots = state.slots[key] else { return [] }
            var continuations: [CheckedContinuation<Void, Never>] = []
            for (id, slot) in slots {
                if case .waiting(let continuation) = slot { continuations.append(continuation) }
                slots[id] = .fired
            }
            state.slots[key] = slots
            return continuations
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Forgets a ticket without waiting.
    func disarm(_ ticket: Ticket) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            let slot = state.slots[ticket.key]?.removeValue(forKey: ticket.id)
            if state.slots[ticket.key]?.isEmpty == true { state.slots[ticket.key] = nil }
            if case .waiting(let continuation) = slot { return continuation }
            return nil
        }
        continuation?.resume()
    }

    /// Waits until the ticket is notified or the task is cancelled, then disarms it.
    func wait(_ ticket: Ticket) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard case .armed = state.slots[ticket.key]?[ticket.id], !Task.isCancelled else { return true }
                    state.slots[ticket.key]?[ticket.id] = .waiting(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            disarm(ticket)
        }
        disarm(ticket)
    }

    /// Waits until the ticket is notified, `timeout` returns, or the task is cancelled.
    func wait(_ ticket: Ticket, orUntil timeout: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(ticket) }
            group.addTask { await timeout() }
            await group.next()
            group.cancelAll()
        }
        disarm(ticket)
    }
}
