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

    /// Starts runs claimed ahead while slots are free.
    func startRunsClaimedAhead() {
        while claimedAhead.count > 0 && isAcceptingWork && !draining.isOpen {
            guard slots.tryAcquire(upTo: 1) == 1 else { return }
            guard let run = claimedAhead.takeFirst() else {
                slots.release(announce: false)
                return
            }
            startExecution(of: run, journal: run.journal)
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
        let dropped = claimedAhead.takeAll()
        guard !dropped.isEmpty else { return }
        state.withLock { state in
            for run in dropped { state.unsettledHere.remove(run.record.id) }
        }
        for run in dropped { settlements.notify(run.record.id) }
    }

    /// Drops the runs claimed ahead among `judged` whose lease the last renewal did not find held.
    func dropRunsClaimedAheadNoLongerHeld(_ held: Set<RunID>, judged: [RunID]) {
        let lost = claimedAhead.dropNotHeld(held, judged: Set(judged))
        guard !lost.isEmpty else { return }
        state.withLock { state in
            for id in lost { state.unsettledHere.remove(id) }
        }
        for id in lost {
            logger.info("lease lost; dropping the run claimed ahead", metadata: ["keel.run.id": .string(id.rawValue)])
            settlements.notify(id)
        }
    }
}
