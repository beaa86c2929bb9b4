import Foundation

/// A run's journal folded into what replay needs: the outcome at each position, and the failed
/// attempts of the call at the frontier (the first position without an outcome).
struct ReplayHistory: Sendable {
    /// The recorded outcome of a durable call.
    struct Outcome: Sendable {
        var call: DurableCall
        var entry: JournalEntry
    }

    /// Failed attempts recorded for the call at the frontier.
    struct PendingAttempts: Sendable {
        var failures: Int
        var nextAttemptAt: Date?
    }

    private(set) var outcomes: [Outcome] = []
    private(set) var pending: PendingAttempts?
    /// The sequence number the next entry gets.
    private(set) var nextSequence = 0

    init() {}

    init(entries: [JournalEntry]) {
        for entry in entries.sorted(by: { $0.sequence < $1.sequence }) {
            record(entry)
        }
    }

    /// The number of positions with an outcome.
    var count: Int { outcomes.count }

    /// The outcome at `position`, if it is recorded.
    func outcome(at position: Int) -> Outcome? {
        position < outcomes.count ? outcomes[position] : nil
    }

    /// Folds one more entry in, in sequence order.
    mutating func record(_ entry: JournalEntry) {
        nextSequence = max(nextSequence, entry.sequence + 1)
        switch entry.kind {
        case .stepAttemptFailed:
            pending = PendingAttempts(failures: (pending?.failures ?? 0) + 1, nextAttemptAt: entry.wakeAt)
        case .stepCompleted, .stepFailed:
            outcomes.append(Outcome(call: .step(entry.name), entry: entry))
            pending = nil
        case .sleep:
            outcomes.append(Outcome(call: .sleep, entry: entry))
        case .now:
            outcomes.append(Outcome(call: .now, entry: entry))
        case .uuid:
            outcomes.append(Outcome(call: .uuid, entry: entry))
        case .random:
            outcomes.append(Outcome(call: .random, entry: entry))
        case .tokenCreated:
            outcomes.append(Outcome(call: .token, entry: entry))
        case .childrenTriggered:
            outcomes.append(Outcome(call: .trigger(entry.name), entry: entry))
        case .waitCompleted, .waitTimedOut:
            outcomes.append(Outcome(call: .wait(entry.name), entry: entry))
        default:
            break  // run-level events and kinds this version does not replay
        }
    }
}
