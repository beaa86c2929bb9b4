import Foundation
import Synchronization

/// Finds outcomes written by other processes for every caller of ``KeelEngine/waitUntilSettled(_:)``
/// at once: one read of all the awaited runs' statuses per round, not one read per caller.
///
/// Outcomes written here wake their callers at once through ``KeelEngine/settlements``; the
/// poll is for the rest, and reads only runs not executing here. Rounds start 10 ms after a
/// caller arrives and back off to 500 ms; the polling task ends when nobody waits.
final class SettlementPoller: Sendable {
    /// How a run ended (or parked), as callers of ``RunHandle/result()`` need it.
    struct Outcome: Sendable {
        var status: RunStatus
        var output: Data?
        var error: RecordedError?
    }

    private struct State {
        var watched: [RunID: Int] = [:]
        /// Outcomes written here of watched runs, handed to their callers without a read.
        var outcomes: [RunID: Outcome] = [:]
        var isPolling = false
        /// Set when a caller arrives: the next round comes soon again.
        var arrived = false
    }

    private let state = Mutex(State())
    private let store: any RunStore
    private let settlements: Notifier<RunID>
    /// Of the ids given, those of runs executing (or claimed ahead) in this process: their
    /// outcome notifies here when written, so the poll leaves them out.
    private let settlingHere = Mutex<@Sendable ([RunID]) -> Set<RunID>>({ _ in [] })

    init(store: any RunStore, settlements: Notifier<RunID>) {
        self.store = store
        self.settlements = settlements
    }

    /// Sets how the poll learns which runs settle in this process (it reads only the others).
    func readOnlyRunsSettlingElsewhere(_ settlingHere: @escaping @Sendable ([RunID]) -> Set<RunID>) {
        self.settlingHere.withLock { $0 = settlingHere }
    }

    /// Starts watching `id` until ``unwatch(_:)``; a settled status notifies ``settlements``.
    func watch(_ id: RunID) {
        let start = state.withLock { state -> Bool in
            state.watched[id, default: 0] += 1
            state.arrived = true
            defer { state.isPolling = true }
            return !state.isPolling
        }
        if start { Task { await self.poll() } }
    }

    func unwatch(_ id: RunID) {
        state.withLock { state in
            guard let count = state.watched[id] else { return }
            state.watched[id] = count > 1 ? count - 1 : nil
            if count == 1 { state.outcomes[id] = nil }
        }
    }

    /// Keeps the outcome of a run settled here for its callers, if any watch it.
    func offer(_ outcome: Outcome, for id: RunID) {
        state.withLock { state in
            if state.watched[id] != nil { state.outcomes[id] = outcome }
        }
    }

    /// The outcome offered for `id`, if any.
    func outcome(of id: RunID) -> Outcome? {
        state.withLock { $0.outcomes[id] }
    }

    private func poll() async {
        var delay = Duration.milliseconds(10)
        while true {
            try? await Task.sleep(for: delay)
            let ids = state.withLock { state -> [RunID] in
                if state.watched.isEmpty { state.isPolling = false }
                if state.arrived {
                    state.arrived = false
                    delay = .milliseconds(10)
                } else {
                    delay = min(delay * 2, .milliseconds(500))
                }
                return Array(state.watched.keys)
            }
            if ids.isEmpty { return }
            let here = settlingHere.withLock { $0 }(ids)
            let elsewhere = here.isEmpty ? ids : ids.filter { !here.contains($0) }
            if elsewhere.isEmpty { continue }
            guard let statuses = try? await store.statuses(of: elsewhere) else { continue }
            for (id, status) in statuses where status.isTerminal || status == .parked {
                settlements.notify(id)
            }
        }
    }
}
