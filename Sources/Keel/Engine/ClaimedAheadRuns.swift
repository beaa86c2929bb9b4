import Synchronization

/// Runs a worker claimed beyond its free slots: leased to it, held in memory in claim order, and
/// started the moment a slot frees, with no round trip to the store in between.
final class ClaimedAheadRuns: Sendable {
    /// A run held, and since when.
    struct Held: Sendable {
        let run: ClaimedRun
        let since: ContinuousClock.Instant
    }

    private let runs = Mutex<[Held]>([])

    /// How many runs are held.
    var count: Int { runs.withLock { $0.count } }

    /// The ids of the runs held.
    var ids: [RunID] { runs.withLock { $0.map(\.run.record.id) } }

    /// Holds `claimed`, after the runs already held.
    func append(_ claimed: some Sequence<ClaimedRun>) {
        let now = ContinuousClock.now
        runs.withLock { $0.append(contentsOf: claimed.map { Held(run: $0, since: now) }) }
    }

    /// Takes the run held longest, if any.
    func takeFirst() -> Held? {
        runs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Drops every run held; returns their ids.
    func dropAll() -> [RunID] {
        runs.withLock { runs in
            defer { runs = [] }
            return runs.map(\.run.record.id)
        }
    }

    /// Drops the runs among `ids` (cancelled); returns the ids of those it held.
    func drop(_ ids: Set<RunID>) -> [RunID] {
        dropNotHeld([], judged: ids)
    }

    /// Drops the runs among `judged` whose lease is not in `held` (cancelled or taken over);
    /// returns their ids.
    func dropNotHeld(_ held: Set<RunID>, judged: Set<RunID>) -> [RunID] {
        runs.withLock { runs in
            let lost = runs.map(\.run.record.id).filter { judged.contains($0) && !held.contains($0) }
            runs.removeAll { lost.contains($0.run.record.id) }
            return lost
        }
    }
}
