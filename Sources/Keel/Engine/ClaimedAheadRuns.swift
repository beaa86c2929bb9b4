import Synchronization

/// Runs a worker claimed beyond its free slots: leased to it, held in memory in claim order, and
/// started the moment a slot frees, with no round trip to the store in between.
final class ClaimedAheadRuns: Sendable {
    private let runs = Mutex<[ClaimedRun]>([])

    /// How many runs are held.
    var count: Int { runs.withLock { $0.count } }

    /// The ids of the runs held.
    var ids: [RunID] { runs.withLock { $0.map(\.record.id) } }

    /// Holds `claimed`, after the runs already held.
    func append(_ claimed: some Sequence<ClaimedRun>) {
        runs.withLock { $0.append(contentsOf: claimed) }
    }

    /// Takes the run held longest, if any.
    func takeFirst() -> ClaimedRun? {
        runs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Takes every run held.
    func takeAll() -> [ClaimedRun] {
        runs.withLock { runs in
            defer { runs = [] }
            return runs
        }
    }

    /// Drops the runs among `judged` whose lease is not in `held` (cancelled or taken over);
    /// returns their ids.
    func dropNotHeld(_ held: Set<RunID>, judged: Set<RunID>) -> [RunID] {
        runs.withLock { runs in
            let lost = runs.filter { judged.contains($0.record.id) && !held.contains($0.record.id) }.map(\.record.id)
            runs.removeAll { lost.contains($0.record.id) }
            return lost
        }
    }
}
