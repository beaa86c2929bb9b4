import Foundation
import Synchronization

/// Finds outcomes written by other processes for every caller of ``KeelEngine/waitUntilSettled(_:)``
/// at once: one read of all the awaited runs' statuses per round, not one read per caller.
///
/// Outcomes written here wake their callers at once through ``KeelEngine/settlements``; the
/// poll is for the rest, and reads only runs not executing here. Each awaited run is read 10 ms
/// after its first caller arrives, then again after twice as long each time, up to every
/// 500 ms: a run that settles quickly elsewhere is found quickly, and a thousand runs waiting
/// in a queue are not read a hundred times a second each. The polling task ends when nobody waits.
///
/// A run its caller triggered through this engine, left queued on a queue this engine claims
/// from, is most likely claimed and settled here, where its outcome needs no read: it is read
/// first after 100 ms. In Ac on PostgreSQL (runs triggered at once and awaited), reading each
/// queued run from 10 ms on was a sixth of the CPU on both sides; this rule halved the rows
/// read and gave +8 % runs/s (measured).
final class SettlementPoller: Sendable {
    /// How a run ended (or parked), as callers of ``RunHandle/result()`` need it.
    struct Outcome: Sendable {
        var status: RunStatus
        var output: Data?
        var error: RecordedError?
    }

    /// An awaited run: how many callers wait for it, and when the poll reads it next.
    private struct Watch {
        var callers: Int
        /// The wait before its next read: ``firstInterval``, doubled after each read up to ``longestInterval``.
        var interval: Duration
        /// The ``ReadSchedule`` tick of its next read; a read scheduled at another tick is stale.
        var nextRead: Int
    }

    /// How soon a newly awaited run is read.
    static let firstInterval = Duration.milliseconds(10)
    /// How soon a newly awaited run is read when it was queued here for this engine to claim.
    static let firstIntervalQueuedHere = Duration.milliseconds(100)
    /// The longest a run goes unread while awaited (and the poll's longest sleep).
    static let longestInterval = Duration.milliseconds(500)


    private struct State {
        var watched: [RunID: Watch] = [:]
        /// Every watched run's next read (and stale ones, skipped when reached): a round takes
        /// the due ones without visiting the others.
        var schedule = ReadSchedule(startingAt: .now)
        /// Outcomes written here of watched runs, handed to their callers without a read.
        var outcomes: [RunID: Outcome] = [:]
        var isPolling = false
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
    /// - Parameter firstReadAfter: how soon to read it, if no other caller watches it already.
    func watch(_ id: RunID, firstReadAfter firstInterval: Duration = SettlementPoller.firstInterval) {
        let start = state.withLock { state -> Bool in
            if state.watched[id] != nil {
                state.watched[id]?.callers += 1
            } else {
                // The wheel starts with the poll: one left from an earlier spell would place a
                // read due more than its span after that spell's start in its last slot,
                // which the first round takes at once.
                if !state.isPolling { state.schedule = ReadSchedule(startingAt: .now) }
                let tick = state.schedule.tick(atOrAfter: .now + firstInterval)
                let nextRead = state.schedule.schedule(id, at: tick)
                state.watched[id] = Watch(callers: 1, interval: firstInterval, nextRead: nextRead)
            }
            defer { state.isPolling = true }
            return !state.isPolling
        }
        if start { Task { await self.poll() } }
    }

    func unwatch(_ id: RunID) {
        state.withLock { state in
            guard let watch = state.watched[id] else { return }
            if watch.callers > 1 {
                state.watched[id]?.callers -= 1
            } else {
                state.watched[id] = nil
                state.outcomes[id] = nil
            }
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
        while true {
            let now = ContinuousClock.now
            let due = state.withLock { state -> [RunID]? in
                if state.watched.isEmpty {
                    state.isPolling = false
                    return nil
                }
                return state.schedule.takeDue(at: now).compactMap { read in
                    state.watched[read.id]?.nextRead == read.tick ? read.id : nil
                }
            }
            guard let due else { return }
            if !due.isEmpty {
                let here = settlingHere.withLock { $0 }(due)
                let elsewhere = here.isEmpty ? due : due.filter { !here.contains($0) }
                if !elsewhere.isEmpty, let statuses = try? await store.statuses(of: elsewhere) {
                    for (id, status) in statuses where status.isTerminal || status == .parked {
                        settlements.notify(id)
                    }
                }
            }
            let wake = state.withLock { state -> ContinuousClock.Instant in
                let readAt = ContinuousClock.now
                for id in due {
                    guard var watch = state.watched[id] else { continue }
                    watch.interval = min(watch.interval * 2, Self.longestInterval)
                    watch.nextRead = state.schedule.schedule(id, at: state.schedule.tick(atOrAfter: readAt + watch.interval))
                    state.watched[id] = watch
                }
                return state.schedule.nextReadTime ?? readAt + Self.longestInterval
            }
            // A caller arriving meanwhile is read at the latest after this sleep.
            try? await Task.sleep(until: min(wake, now + Self.longestInterval), clock: .continuous)
        }
    }
}
