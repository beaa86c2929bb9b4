import Foundation
import Synchronization

/// The log lines runs executing in this process wrote since their last commit, per run.
///
/// ``KeelEngine/commit(_:lease:)`` takes a run's lines into the transaction it commits; what is
/// left when a run stops executing here is written on its own. A run holds at most `limit`
/// unwritten lines in memory: later ones are counted and dropped.
final class RunLogCollector: Sendable {
    private struct Pending {
        var lines: [RunLogLine] = []
        var dropped = 0
    }

    private let pending = Mutex<[RunID: Pending]>([:])
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Keeps `line` for its run's next write.
    func append(_ line: RunLogLine) {
        pending.withLock { pending in
            var entry = pending[line.runID, default: Pending()]
            if entry.lines.count < limit { entry.lines.append(line) } else { entry.dropped += 1 }
            pending[line.runID] = entry
        }
    }

    /// Takes the lines `runID` wrote since the last call, oldest first.
    func take(_ runID: RunID) -> [RunLogLine] {
        pending.withLock { pending in
            guard let entry = pending.removeValue(forKey: runID) else { return [] }
            return entry.lines
        }
    }

    /// Puts back lines whose write failed, ahead of newer ones.
    func restore(_ lines: [RunLogLine], for runID: RunID) {
        guard !lines.isEmpty else { return }
        pending.withLock { pending in
            var entry = pending[runID, default: Pending()]
            entry.lines = Array((lines + entry.lines).prefix(limit))
            pending[runID] = entry
        }
    }
}
