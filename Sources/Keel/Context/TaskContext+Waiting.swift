public import Foundation
import Synchronization

extension TaskContext {
    /// Sleeps durably for `duration`.
    ///
    /// The wake time is journaled. A short sleep (up to
    /// ``KeelEngine/Configuration/inMemoryWaitThreshold``) keeps the run in memory without a
    /// slot and continues without replay; a longer one suspends the run, and any worker resumes it
    /// when due, also after a restart. Replayed, a sleep whose time has passed returns at once.
    public func sleep(for duration: Duration) async throws {
        try await durableSleep { self.clock.now().adding(duration) }
    }

    /// Sleeps durably until `date`. See ``sleep(for:)``.
    public func sleep(until date: Date) async throws {
        try await durableSleep { date }
    }

    private func durableSleep(deadline: () -> Date) async throws {
        let (position, recorded, _) = try claimPosition(for: .sleep)
        if let recorded {
            try await wait(until: recorded.wakeAt ?? recorded.recordedAt)
            return
        }
        try await ensureLive()
        let wakeAt = deadline()
        try await wait(until: wakeAt, recording: makeEntry(position: position, kind: .sleep, name: "sleep", wakeAt: wakeAt))
    }

    /// Waits until `wakeAt`, journaling `entry` (if any) with the change of status: in memory for
    /// a short wait, suspended for a long one. A wait whose time has passed writes `entry` only.
    func wait(until wakeAt: Date, recording entry: JournalEntry? = nil) async throws {
        let entries = entry.map { [$0] } ?? []
        let remaining = wakeAt.timeIntervalSince(clock.now())
        if remaining <= 0 {
            if !entries.isEmpty { try await write(entries) }
            return
        }
        if remaining > engine.configuration.inMemoryWaitThreshold.seconds {
            try await suspend(entries, status: .waiting, wakeAt: wakeAt)
        }
        try await write(entries, change: .waitingInMemory(wakeAt: wakeAt))
        try await waitInMemory(until: wakeAt)
    }

    /// Keeps the Swift task suspended until `wakeAt` with its slot given back, then takes a slot
    /// again. If the engine starts draining meanwhile, suspends the run durably instead.
    private func waitInMemory(until wakeAt: Date) async throws {
        releaseSlot()
        let clock = self.clock
        let draining = engine.draining
        let woke = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await clock.sleep(until: wakeAt)
                return true
            }
            group.addTask {
                await draining.wait()
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        if !woke || draining.isOpen {
            try await suspend(status: .waiting, wakeAt: wakeAt)
        }
        try await engine.slots.acquire()
        state.withLock { $0.holdsSlot = true }
    }

    func releaseSlot() {
        let held = state.withLock { state in
            defer { state.holdsSlot = false }
            return state.holdsSlot
        }
        if held { engine.releaseSlot() }
    }
}
