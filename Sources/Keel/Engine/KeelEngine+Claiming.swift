import Foundation
import Synchronization
import Logging

extension KeelEngine {
    /// Claims due runs while slots are free, then sleeps until the next due time, a local signal
    /// (new run, freed slot), or the poll interval, whichever comes first.
    func claimLoop() async {
        var failures = 0
        var lastClaimAt = Date.distantPast
        while isAcceptingWork && !Task.isCancelled {
            state.withLock { $0.claimPasses += 1 }
            let ticket = workAvailable.arm(0)
            var wakeAt = clock.now().adding(configuration.pollInterval)
            do {
                wakeAt = min(wakeAt, try await checkSchedules())
                let pass = try await claimBatch(lastClaimAt: &lastClaimAt)
                failures = 0
                switch pass {
                case .filledEverySlot:
                    // More runs may be due: claim again, and again when a slot frees.
                    claimDemand.set(true)
                    workAvailable.disarm(ticket)
                    continue
                case .noFreeSlot:
                    claimDemand.set(true)
                case .leftSlotsFree:
                    // A due time already past means runs wait on a queue limit: a finishing run
                    // (its freed slot), a local signal or the poll interval rechecks them.
                    let due = try await store.nextDueTime(queues: Array(queues.keys), workerID: workerID)
                    let now = clock.now()
                    claimDemand.set(due.map { $0 <= now } ?? false)
                    if let due, due > now { wakeAt = min(wakeAt, due) }
                }
            } catch {
                if !isAcceptingWork || Task.isCancelled {
                    workAvailable.disarm(ticket)
                    break
                }
                failures += 1
                logger.error("claiming runs failed", metadata: ["error.message": .string("\(error)")])
                let backoff = min(Double(1 << min(failures, 6)) * 0.05, configuration.pollInterval.seconds * 4)
                wakeAt = clock.now().addingTimeInterval(backoff)
            }
            guard isAcceptingWork else {
                workAvailable.disarm(ticket)
                break
            }
            let clock = self.clock
            let deadline = wakeAt
            await workAvailable.wait(ticket) { try? await clock.sleep(until: deadline) }
        }
    }

    /// How a claim pass went.
    enum ClaimPass {
        /// Every free slot got a run: more may be due.
        case filledEverySlot
        /// No slot was free.
        case noFreeSlot
        /// Fewer runs were due than slots free.
        case leftSlotsFree
    }

    /// Fires due schedules when their time (or a poll interval) has come.
    /// - Returns: when to check them next.
    private func checkSchedules() async throws -> Date {
        let now = clock.now()
        let checkAt = state.withLock { $0.scheduleCheckAt }
        guard now >= checkAt else { return checkAt }
        let tick = try await fireDueSchedules()
        let next = min(max(tick ?? .distantFuture, now), now.adding(configuration.pollInterval))
        return state.withLock { state in
            // A local change meanwhile set it to distantPast: keep that.
            if state.scheduleCheckAt == checkAt { state.scheduleCheckAt = next }
            return state.scheduleCheckAt
        }
    }

    /// Claims as many due runs as there are free slots and starts them, and claims up to
    /// ``Configuration/claimAhead`` more to hold until slots free. Runs held already take free
    /// slots first.
    ///
    /// With no run to claim it still asks the store, at most once per poll interval, for a claim
    /// of none: the store expires runs whose time to live ran out while every slot was busy.
    private func claimBatch(lastClaimAt: inout Date) async throws -> ClaimPass {
        startRunsClaimedAhead()
        let free = slots.tryAcquire(upTo: configuration.concurrency)
        var ahead = max(0, configuration.runsToClaimAhead - claimedAhead.count)
        // While runs claimed ahead wait for slots, claim more ahead only once half of them have
        // started: one claim of many runs, not one claim per freed slot.
        if claimedAhead.count > 0 && ahead < (configuration.runsToClaimAhead + 1) / 2 { ahead = 0 }
        let limit = free + ahead
        let now = clock.now()
        guard limit > 0 || now >= lastClaimAt.adding(configuration.pollInterval) else { return .noFreeSlot }
        lastClaimAt = now
        let claimed: [ClaimedRun]
        do {
            claimed = try await store.claimDueRuns(
                ClaimRequest(
                    queues: queues.values.sorted { $0.name < $1.name },
                    workerID: workerID,
                    taskNames: registry.names,
                    limit: limit,
                    now: now,
                    leaseExpiresAt: now.adding(configuration.leaseDuration)
                )
            )
        } catch {
            slots.release(free, announce: false)
            throw error
        }
        let starting = min(free, claimed.count)
        slots.release(free - starting, announce: false)
        for run in claimed {
            logger.debug("claimed run", metadata: ["keel.run.id": .string(run.record.id.rawValue), "keel.task.name": .string(run.record.taskName)])
        }
        for run in claimed.prefix(starting) { startExecution(of: run, journal: run.journal) }
        holdClaimedAhead(claimed.dropFirst(starting))
        if limit == 0 { return .noFreeSlot }
        return claimed.count == limit ? .filledEverySlot : .leftSlotsFree
    }

    /// Cancels the Swift tasks of runs executing here whose lease this worker lost (cancelled
    /// from another process, or taken over): their step in flight sees the cancellation.
    ///
    /// Only runs already executing before the renewal (`before`, by their Swift task) are judged:
    /// a run claimed while the renewal was in flight is held, though the renewal did not see it.
    private func stopRunsNoLongerHeld(_ held: Set<RunID>, before: [RunID: Task<Void, Never>]) {
        let lost = state.withLock { state in
            before.filter { runID, task in !held.contains(runID) && state.activeRuns[runID] == task }
        }
        for (runID, task) in lost {
            logger.info("lease lost; stopping the run here", metadata: ["keel.run.id": .string(runID.rawValue)])
            task.cancel()
        }
    }

    /// Renews this worker's leases every ``Configuration/heartbeatInterval`` until the engine stops.
    func heartbeatLoop() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: clock.now().adding(configuration.heartbeatInterval))
            } catch {
                return
            }
            if state.withLock({ $0.crashed || $0.phase == .stopped }) { return }
            do {
                // Runs claimed ahead first: one started meanwhile is then among `before`.
                let ahead = claimedAhead.ids
                let before = state.withLock { $0.activeRuns }
                // Only runs executing or claimed ahead here: a run whose execution ended without
                // its outcome written (the store was down) must not stay leased forever; its
                // lease lapses and any worker takes it over.
                let held = try await store.renewLeases(
                    workerID: workerID, runIDs: Array(before.keys) + ahead, expiresAt: clock.now().adding(configuration.leaseDuration)
                )
                stopRunsNoLongerHeld(held, before: before)
                dropRunsClaimedAheadNoLongerHeld(held, judged: ahead)
            } catch {
                logger.error("renewing leases failed", metadata: ["error.message": .string("\(error)")])
            }
        }
    }
}
