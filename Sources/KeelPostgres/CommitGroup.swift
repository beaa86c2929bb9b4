import Keel
import Synchronization

/// Group commit for PostgreSQL: commits that arrive while earlier ones are in flight are sent
/// together, as one statement, when a flight lands.
///
/// A commit that finds a flight free goes at once, alone: a lone run pays no wait. Under load,
/// every landing flight makes the longest-waiting commit the next one's leader, after resuming
/// its own callers; the leader, when it runs, sends itself and every commit waiting then — among
/// them the next commits of the runs that just landed, made meanwhile on the same thread — from
/// a task of its own so that the leader's cancellation cannot fail the others (no caller waits
/// for another's batch beyond its own). A flight of several commits that finds none waiting
/// keeps its slot for its callers' next commits, sent together by a task that runs after them.
/// So the statements per second stay about the flights' rate while the commits per second grow
/// with the load: the client's CPU per statement (postgres-nio, about 0.3 ms here) and the
/// server's parse, plan and WAL flush are paid once per batch.
///
/// Commits of one run never share a batch: a run waits for each of its commits.
final class CommitGroup<Item: Sendable, Outcome: Sendable>: Sendable {
    /// Sends one batch and returns one outcome per item, in order.
    typealias Send = @Sendable ([Item]) async throws -> [Outcome]

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    /// What a waiting commit is told when it is its turn.
    private enum Turn: Sendable {
        /// Its batch landed, with this outcome.
        case landed(Result<Outcome, any Error>)
        /// It sends the next flight: itself and the commits waiting when it runs.
        case leads
    }

    private struct State {
        var inFlight = 0
        var waiting: [Waiter] = []
        var sent = Sent()
    }

    /// How many batches were sent, with how many items in all.
    struct Sent: Sendable, Equatable {
        var batches = 0
        var items = 0
    }

    /// How many commits wait for a flight.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// The batches sent so far.
    var sent: Sent { state.withLock { $0.sent } }

    private let state = Mutex(State())
    private let maximumInFlight: Int
    private let maximumBatch: Int
    private let executorHere: @Sendable () -> (any TaskExecutor)?

    /// - Parameters:
    ///   - maximumInFlight: how many batches may be in flight at once (each on its own connection).
    ///   - maximumBatch: the most items one batch carries.
    ///   - executorHere: where a batch's task should run to stay on its leader's thread.
    init(maximumInFlight: Int, maximumBatch: Int, executorHere: @escaping @Sendable () -> (any TaskExecutor)? = { RunExecutor.preferenceOfCurrentThread }) {
        self.executorHere = executorHere
        precondition(maximumInFlight > 0 && maximumBatch > 0)
        self.maximumInFlight = maximumInFlight
        self.maximumBatch = maximumBatch
    }

    /// Commits `item`, alone or with others, and returns its outcome.
    /// - Parameter send: sends a batch when this caller leads one; every caller passes the same.
    func commit(_ item: Item, send: @escaping Send) async throws -> Outcome {
        let startsFlight = state.withLock { state in
            guard state.inFlight < maximumInFlight else { return false }
            state.inFlight += 1
            return true
        }
        let turn: Turn
        if startsFlight {
            turn = .leads
        } else {
            turn = await withCheckedContinuation { continuation in
                let startsNow = state.withLock { state in
                    guard state.inFlight < maximumInFlight else {
                        state.waiting.append(Waiter(item: item, continuation: continuation))
                        return false
                    }
                    state.inFlight += 1
                    return true
                }
                if startsNow { continuation.resume(returning: .leads) }
            }
        }
        switch turn {
        case .landed(let outcome):
            return try outcome.get()
        case .leads:
            let others = state.withLock { Self.takeWaiting(upTo: maximumBatch - 1, from: &$0) }
            guard let outcome = try await fly(item, with: others, send: send) else {
                preconditionFailure("a flight with an item gives that item's outcome")
            }
            return outcome
        }
    }

    /// How a landed flight hands on its slot.
    private enum HandOff {
        /// To this waiting commit, which leads the next flight.
        case leader(Waiter)
        /// To the landed callers, who commit again soon: a task that runs after them sends what
        /// they (and any other caller) gathered, or frees the slot.
        case landedCallers
        /// Back to the group.
        case none
    }

    /// Sends `item` (if any) and `others` as one batch, hands the flight on, and gives each of
    /// `others` its outcome.
    /// - Returns: `item`'s outcome; `nil` without an item.
    private func fly(_ item: Item?, with others: [Waiter], send: @escaping Send) async throws -> Outcome? {
        let items = (item.map { [$0] } ?? []) + others.map(\.item)
        let ownOutcomes = item == nil ? 0 : 1
        let outcomes: Result<[Outcome], any Error>
        do {
            // A batch carrying other callers' commits is sent from its own task: this caller's
            // cancellation (its run cancelled) must not fail theirs. The task runs where this
            // caller does (a run thread, an event loop), not on the cooperative pool.
            let sent = others.isEmpty
                ? try await send(items)
                : try await Task(executorPreference: executorHere()) { try await send(items) }.value
            precondition(sent.count == items.count, "a batch's sender returned \(sent.count) outcomes for \(items.count) items")
            outcomes = .success(sent)
        } catch {
            outcomes = .failure(error)
        }
        let handOff = state.withLock { state -> HandOff in
            state.sent.batches += 1
            state.sent.items += items.count
            if !state.waiting.isEmpty { return .leader(state.waiting.removeFirst()) }
            // A lone commit frees the slot at once: its run may have nothing more to commit.
            if items.count > 1 { return .landedCallers }
            state.inFlight -= 1
            return .none
        }
        // The landed commits' callers are resumed before the next flight gathers its batch: on
        // the same thread it is gathered after them, so the commits their runs make next (a
        // run's next step) fly with it rather than wait for another landing — or, with no
        // commit waiting, fly together rather than the first alone and the rest after it.
        for (index, waiter) in others.enumerated() {
            waiter.continuation.resume(returning: .landed(outcomes.map { $0[index + ownOutcomes] }))
        }
        switch handOff {
        case .leader(let leader):
            leader.continuation.resume(returning: .leads)
        case .landedCallers:
            Task(executorPreference: executorHere()) { await self.sendWhatWaits(send: send) }
        case .none:
            break
        }
        return try item.map { _ in try outcomes.get()[0] }
    }

    /// Sends the commits waiting as one flight, on a slot held for them; frees it if none waits.
    private func sendWhatWaits(send: @escaping Send) async {
        let batch = state.withLock { state -> [Waiter] in
            let batch = Self.takeWaiting(upTo: maximumBatch, from: &state)
            if batch.isEmpty { state.inFlight -= 1 }
            return batch
        }
        guard !batch.isEmpty else { return }
        // Its outcomes, failures included, reach the batch's callers.
        _ = try? await fly(nil, with: batch, send: send)
    }

    /// Takes up to `count` of the waiting commits, longest-waiting first.
    private static func takeWaiting(upTo count: Int, from state: inout State) -> [Waiter] {
        let taken = Array(state.waiting.prefix(count))
        state.waiting.removeFirst(taken.count)
        return taken
    }
}
