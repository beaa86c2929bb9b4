import Foundation
import Logging

extension KeelEngine {
    /// Gives a run whose write failed in the store back to the queue, so it continues from its
    /// journal on the next claim (here or on another worker).
    ///
    /// The store was unreachable, so this retries with backoff (0.1 s doubling to 5 s) until the
    /// hand-back is written, the lease turns out lost (another worker took the run: nothing to
    /// do), or the engine stops (its leases then lapse and any worker takes the run over). The
    /// run's execution stays registered meanwhile, so heartbeats keep its lease.
    /// - Parameter entries: journal entries the run made that were not committed yet (a step's
    ///   result left for the outcome's commit), written with the hand-back.
    func handBack(_ lease: Lease, entries: [JournalEntry] = [], logger: Logger) async {
        var delay = Duration.milliseconds(100)
        while isAcceptingWork && !draining.isOpen && !Task.isCancelled {
            do {
                let transition = RunTransition(entries: entries, change: .suspended(status: .queued, wakeAt: clock.now()))
                try await store.commit(transition, lease: lease, now: clock.now())
                runChanges.notify(lease.runID)
                workAvailable.notify(0)
                logger.info("run handed back after a store failure; it continues from its journal")
                return
            } catch let error as KeelError where error.code == .leaseLost || error.code == .runNotFound {
                return
            } catch {
                logger.debug("handing the run back failed; retrying", metadata: ["error.message": .string("\(error)")])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
