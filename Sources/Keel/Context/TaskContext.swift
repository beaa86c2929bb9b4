import Foundation
public import Logging
import Synchronization

/// A run's door to durable operations: steps, sleeps and recorded values.
///
/// Each call takes the next position in the run's journal. Live, it does the work and records
/// the outcome, committed before anything that depends on it leaves the run (a step's result
/// goes with the run's next commit); on replay (after a crash, a long sleep, a retry), it returns the
/// outcome recorded at that position without doing the work again. The code between calls must
/// therefore make the same calls in the same order every time it runs: read time, randomness and
/// identifiers through ``now()``, ``random()`` and ``uuid()``, and put I/O inside steps.
///
/// Make durable calls one at a time, from the task's own Swift task, and not from inside a step.
public final class TaskContext: Sendable {
    /// The run being executed.
    public let runID: RunID
    /// The task's registered name.
    public let taskName: String
    /// The run attempt: 1, plus one per task-level retry.
    public let attempt: Int
    /// A logger carrying the run's id and task name as metadata.
    public let logger: Logger

    let engine: KeelEngine
    let task: RegisteredTask
    /// The run's input, as JSON, for hooks.
    let input: Data
    /// The run's parent, for a child run.
    let parentID: RunID?
    let lease: Lease
    let retryPolicy: RetryPolicy
    let state: Mutex<State>

    /// Why a run stopped executing in this process before its body returned.
    enum Stop: Sendable {
        /// Suspended durably (long wait, draining); another claim continues it.
        case suspended
        /// The lease was lost: another worker owns the run, or it was cancelled.
        case leaseLost
        /// A write of the run failed in the store (the database unreachable): the run stops
        /// here and is handed back, to continue from its journal (see `KeelEngine.handBack`).
        case storeFailed
        /// The code diverged from the journal; the run will be parked.
        case nonDeterminism(NonDeterminismError)
    }

    struct State: Sendable {
        var history: ReplayHistory
        /// The position the next durable call takes.
        var position = 0
        /// The sequence number the next journal entry gets.
        var nextSequence: Int
        /// Whether this run holds one of the engine's execution slots.
        var holdsSlot = true
        /// Whether the store shows the run as waiting while its Swift task is kept in memory.
        var waitingInMemory = false
        var stop: Stop?
        /// Compensations of completed steps, in completion order.
        var compensations: [Compensation] = []
        /// Entries recorded by ``TaskContext/writeWithNextCommit(_:)``, in sequence order, that
        /// the run's next commit writes first.
        var deferred: [JournalEntry] = []
    }

    /// Undo work of a completed step, registered with it.
    struct Compensation: Sendable {
        var stepName: String
        var undo: @Sendable () async throws -> Void
    }

    init(engine: KeelEngine, task: RegisteredTask, record: RunRecord, lease: Lease, history: ReplayHistory, retryPolicy: RetryPolicy, logger: Logger) {
        self.engine = engine
        self.task = task
        self.input = record.input
        self.parentID = record.parentID
        self.runID = record.id
        self.taskName = record.taskName
        self.attempt = record.attempt
        self.lease = lease
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.state = Mutex(State(history: history, nextSequence: history.nextSequence))
    }

    /// Whether the call about to be made will be answered from the journal.
    public var isReplaying: Bool {
        state.withLock { $0.position < $0.history.count }
    }

    /// A key for deduplicating an external call: inside a step it names the run, the step and its
    /// position, the same on every attempt and replay of that step; outside a step it is the run id.
    ///
    /// Pass it to APIs that accept idempotency keys (payments, email) so an attempt repeated after
    /// a crash is not applied twice.
    public var idempotencyKey: String {
        if let step = StepScope.current, step.runID == runID {
            return "\(runID.rawValue)/\(step.position)/\(step.name)"
        }
        return runID.rawValue
    }

    /// Inside a step, the attempt of that step being made: 1 for the first, 2 for the first
    /// retry, and so on; `nil` outside steps.
    public var stepAttempt: Int? {
        guard let step = StepScope.current, step.runID == runID else { return nil }
        return step.attempt
    }

    var clock: any KeelClock { engine.clock }

    // MARK: Positions and replay

    /// Takes the next position for `call`; returns the recorded entry when replaying.
    /// - Throws: ``NonDeterminismError`` when the journal recorded another call there.
    func claimPosition(for call: DurableCall) throws -> (position: Int, recorded: JournalEntry?, pending: ReplayHistory.PendingAttempts?) {
        if let step = StepScope.current, step.runID == runID {
            throw KeelError(
                .invalidState,
                "\(call) was called inside step '\(step.name)'; durable calls cannot be nested in a step"
            )
        }
        return try state.withLock { state in
            if let stop = state.stop { throw stop.error }
            let position = state.position
            state.position += 1
            guard let outcome = state.history.outcome(at: position) else {
                return (position, nil, position == state.history.count ? state.history.pending : nil)
            }
            guard outcome.call == call else {
                let error = NonDeterminismError(position: position, recorded: outcome.call.description, attempted: call.description)
                state.stop = .nonDeterminism(error)
                throw error
            }
            return (position, outcome.entry, nil)
        }
    }

    /// Makes a journal entry at `position` with the next sequence number.
    func makeEntry(
        position: Int?, kind: JournalEntry.Kind, name: String, attempt: Int = 1, payload: Data? = nil,
        error: RecordedError? = nil, startedAt: Date? = nil, wakeAt: Date? = nil
    ) -> JournalEntry {
        let sequence = state.withLock { state in
            defer { state.nextSequence += 1 }
            return state.nextSequence
        }
        return JournalEntry(
            runID: runID, sequence: sequence, position: position, kind: kind, name: name, attempt: attempt,
            payload: payload, error: error, startedAt: startedAt, wakeAt: wakeAt, recordedAt: clock.now()
        )
    }

    // MARK: Writing

    /// Commits `entries` and `change` under this run's lease, after the entries deferred to it.
    func write(
        _ entries: [JournalEntry], change: RunTransition.Change = .none, newRuns: [NewRun] = [], newWaitpoints: [Waitpoint] = []
    ) async throws {
        var change = change
        if change == .none, state.withLock({ $0.waitingInMemory }) { change = .running }
        let deferred = takeDeferred()
        do {
            try await underLease {
                try await engine.commit(
                    RunTransition(entries: deferred + entries, change: change, newRuns: newRuns, newWaitpoints: newWaitpoints), lease: lease
                )
            }
        } catch {
            restoreDeferred(deferred)
            throw error
        }
        state.withLock { state in
            for entry in entries { state.history.record(entry) }
            switch change {
            case .waitingInMemory: state.waitingInMemory = true
            case .none: break
            default: state.waitingInMemory = false
            }
        }
    }

    /// Records `entry` in the run's history now and leaves its commit to the run's next write.
    ///
    /// For an entry nothing outside the run has seen yet — a step's result, a recorded value —
    /// whose loss in a crash only means doing that call again. The code that reads it runs
    /// before the commit, and is deterministic: whatever it does next that leaves the run (the
    /// next step's body, a wait, a child run, the run's outcome) commits the entry first or with
    /// it. A run that completes after its last step so pays one commit for both.
    func writeWithNextCommit(_ entry: JournalEntry) {
        state.withLock { state in
            state.history.record(entry)
            state.deferred.append(entry)
        }
    }

    /// Commits the entries deferred to the run's next write, if any: before work whose effects
    /// leave the run (a step's body).
    func commitDeferred() async throws {
        if state.withLock({ !$0.deferred.isEmpty }) { try await write([]) }
    }

    /// Takes the deferred entries for the commit about to be made.
    func takeDeferred() -> [JournalEntry] {
        state.withLock { state in
            defer { state.deferred = [] }
            return state.deferred
        }
    }

    /// Puts back deferred entries whose commit failed, ahead of any deferred since.
    func restoreDeferred(_ entries: [JournalEntry]) {
        guard !entries.isEmpty else { return }
        state.withLock { $0.deferred = entries + $0.deferred }
    }

    /// Runs a store call made under this run's lease; a lost lease stops the run here.
    func underLease<Value>(_ work: () async throws -> Value) async throws -> Value {
        do {
            return try await work()
        } catch let error as KeelError where error.code == .leaseLost {
            state.withLock { $0.stop = .leaseLost }
            logger.warning("lease lost; abandoning the run here", metadata: ["error.message": .string(error.message)])
            throw RunSuspension()
        } catch let error as KeelError where error.code == .storeFailure {
            // Not the task's failure: nothing was recorded, so the run continues from its journal.
            state.withLock { $0.stop = .storeFailed }
            logger.warning("cannot write to the store; handing the run back", metadata: ["error.message": .string(error.message)])
            throw RunSuspension()
        }
    }

    /// Suspends the run durably: releases its lease so any worker continues it at `wakeAt`.
    func suspend(_ entries: [JournalEntry] = [], status: RunStatus, wakeAt: Date) async throws -> Never {
        try await write(entries, change: .suspended(status: status, wakeAt: wakeAt))
        state.withLock { $0.stop = .suspended }
        throw RunSuspension()
    }

    /// Before doing live work: when the engine drains, suspends the run instead.
    func ensureLive() async throws {
        if engine.draining.isOpen {
            try await suspend(status: .queued, wakeAt: clock.now())
        }
    }
}

/// Thrown through the task body when the run stops executing in this process (suspended,
/// lease lost). Catching it changes nothing: every later durable call throws it again.
struct RunSuspension: Error, CustomStringConvertible {
    var description: String { "the run was suspended; it continues on the next claim" }
}

extension TaskContext.Stop {
    var error: any Error {
        switch self {
        case .suspended, .leaseLost, .storeFailed: RunSuspension()
        case .nonDeterminism(let error): error
        }
    }
}

/// The step whose body is executing, as a task-local, for ``TaskContext/idempotencyKey``.
struct StepScope: Sendable {
    @TaskLocal static var current: StepScope?

    var runID: RunID
    var position: Int
    var name: String
    var attempt: Int
}
