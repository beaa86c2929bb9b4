import Foundation
import Logging
import Synchronization

extension KeelEngine {
    /// Gives a run's slot back: to a run waiting to resume after an in-memory wait first, else to
    /// the run claimed ahead longest, else to the pool.
    func releaseSlot() {
        slots.release()
        startRunsClaimedAhead()
    }

    /// How long a run may wait claimed ahead before its lease is read again as it starts: a
    /// run cancelled (or taken over) from another process meanwhile then never starts here.
    static let claimedAheadLeaseCheckAfter = Duration.milliseconds(100)

    /// Starts runs claimed ahead while slots are free.
    func startRunsClaimedAhead() {
        while claimedAhead.count > 0 && isAcceptingWork && !draining.isOpen {
            guard slots.tryAcquire(upTo: 1) == 1 else { return }
            guard let held = claimedAhead.takeFirst() else {
                slots.release(announce: false)
                return
            }
            let waitedLong = ContinuousClock.now - held.since > Self.claimedAheadLeaseCheckAfter
            startExecution(of: held.run, journal: held.run.journal, checkingLease: waitedLong)
        }
    }

    /// Whether `lease` is still this worker's, read from the store; a failed read says yes (the
    /// run's first write would find out).
    func stillHolds(_ lease: Lease) async -> Bool {
        do {
            guard let record = try await store.run(lease.runID) else { return false }
            return record.leaseOwner == workerID && record.status == .running
        } catch {
            return true
        }
    }

    /// Holds `runs`, claimed and leased to this worker, until slots free. Their callers wait for
    /// this engine's outcome rather than polling, as for runs executing here.
    func holdClaimedAhead(_ runs: some Collection<ClaimedRun>) {
        guard !runs.isEmpty else { return }
        state.withLock { state in
            for run in runs { state.unsettledHere.insert(run.record.id) }
        }
        claimedAhead.append(runs)
        // A slot may have freed while the claim was in flight.
        startRunsClaimedAhead()
    }

    /// Lets go of the runs claimed ahead when the engine drains: their leases are released with
    /// the others' when it stops.
    func dropRunsClaimedAhead() {
        forgetRunsClaimedAhead(claimedAhead.dropAll())
    }

    /// Drops the runs claimed ahead among `judged` whose lease the last renewal did not find held.
    func dropRunsClaimedAheadNoLongerHeld(_ held: Set<RunID>, judged: [RunID]) {
        let lost = claimedAhead.dropNotHeld(held, judged: Set(judged))
        for id in lost {
            logger.info("lease lost; dropping the run claimed ahead", metadata: ["keel.run.id": .string(id.rawValue)])
        }
        forgetRunsClaimedAhead(lost)
    }

    /// Runs dropped from those claimed ahead no longer settle here: their callers read the
    /// store again.
    private func forgetRunsClaimedAhead(_ ids: [RunID]) {
        guard !ids.isEmpty else { return }
        state.withLock { state in
            for id in ids { state.unsettledHere.remove(id) }
        }
        for id in ids { settlements.notify(id) }
    }
}
