import Foundation
@testable import Keel
import Synchronization

/// A real store whose next commits fail with ``KeelError/Code/storeFailure`` on demand, as when
/// the database becomes unreachable; everything else goes to the store it wraps.
final class FaultyStore: RunStore {
    let base: any RunStore
    /// Which commits fail: the number still to fail, and which transitions count.
    private let failing = Mutex<(count: Int, matches: @Sendable (RunTransition) -> Bool)>((0, { _ in false }))

    init(_ base: any RunStore) { self.base = base }

    /// Makes the next `count` commits matching `matches` fail.
    func failNextCommits(_ count: Int, where matches: @escaping @Sendable (RunTransition) -> Bool) {
        failing.withLock { $0 = (count, matches) }
    }

    /// Makes the commits matching `matches` wait until `gate` opens before they are written.
    func holdCommits(until gate: Gate, where matches: @escaping @Sendable (RunTransition) -> Bool) {
        holding.withLock { $0 = (gate, matches) }
    }
    private let holding = Mutex<(gate: Gate, matches: @Sendable (RunTransition) -> Bool)?>(nil)

    /// How many of the requested failures are still to come.
    var failuresLeft: Int { failing.withLock { $0.count } }

    /// For each `createRun` so far, whether it was called on one of the engine's run threads.
    var createRunCallsOnRunThreads: [Bool] { createRunThreads.withLock { $0 } }
    private let createRunThreads = Mutex<[Bool]>([])

    /// Every transition committed through this store, in order.
    var committed: [RunTransition] { committedTransitions.withLock { $0 } }
    private let committedTransitions = Mutex<[RunTransition]>([])

    func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws {
        let fail = failing.withLock { state in
            guard state.count > 0, state.matches(transition) else { return false }
            state.count -= 1
            return true
        }
        if fail { throw KeelError(.storeFailure, "injected: the database is unreachable") }
        if let held = holding.withLock({ $0 }), held.matches(transition) { try await held.gate.wait() }
        try await base.commit(transition, lease: lease, now: now)
        committedTransitions.withLock { $0.append(transition) }
    }

    func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun {
        createRunThreads.withLock { $0.append(RunExecutor.isCurrentThreadARunThread) }
        return try await base.createRun(run, lease: lease)
    }
    /// The limit of every claim so far, in order.
    var claimLimits: [Int] { claimRequestLimits.withLock { $0 } }
    private let claimRequestLimits = Mutex<[Int]>([])
    func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun] {
        claimRequestLimits.withLock { $0.append(request.limit) }
        return try await base.claimDueRuns(request)
    }
    func renewLeases(workerID: String, runIDs: [RunID], expiresAt: Date) async throws -> Set<RunID> {
        try await base.renewLeases(workerID: workerID, runIDs: runIDs, expiresAt: expiresAt)
    }
    func releaseLeases(workerID: String, now: Date) async throws { try await base.releaseLeases(workerID: workerID, now: now) }
    func cancelRun(_ id: RunID, now: Date) async throws -> [RunID] { try await base.cancelRun(id, now: now) }
    func resumeParkedRun(_ id: RunID, now: Date) async throws -> RunRecord { try await base.resumeParkedRun(id, now: now) }
    func run(_ id: RunID) async throws -> RunRecord? { try await base.run(id) }
    /// Every id whose status was read with `statuses(of:)`, in order.
    var statusReads: [RunID] { statusReadIDs.withLock { $0 } }
    private let statusReadIDs = Mutex<[RunID]>([])
    func statuses(of ids: [RunID]) async throws -> [RunID: RunStatus] {
        statusReadIDs.withLock { $0.append(contentsOf: ids) }
        return try await base.statuses(of: ids)
    }
    func journal(_ id: RunID) async throws -> [JournalEntry] { try await base.journal(id) }
    func journal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry] { try await base.journal(id, fromSequence: fromSequence) }
    func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws { try await base.listenForWork(onWork) }
    func nextDueTime(queues: [String], workerID: String) async throws -> Date? { try await base.nextDueTime(queues: queues, workerID: workerID) }
    func awaitWaitpoint(_ waitpoint: Waitpoint, lease: Lease, now: Date) async throws -> WaitResolution {
        try await base.awaitWaitpoint(waitpoint, lease: lease, now: now)
    }
    func completeToken(_ id: String, payload: Data, now: Date) async throws -> Waitpoint { try await base.completeToken(id, payload: payload, now: now) }
    func sendEvent(_ name: String, payload: Data, now: Date) async throws -> [RunID] { try await base.sendEvent(name, payload: payload, now: now) }
    func waitpoint(_ id: String) async throws -> Waitpoint? { try await base.waitpoint(id) }
    func appendRunLogs(_ lines: [RunLogLine], maximumPerRun: Int) async throws { try await base.appendRunLogs(lines, maximumPerRun: maximumPerRun) }
    func runLogs(_ id: RunID, afterSequence: Int?, limit: Int) async throws -> [RunLogLine] {
        try await base.runLogs(id, afterSequence: afterSequence, limit: limit)
    }
    func listRuns(_ query: RunQuery) async throws -> [RunRecord] { try await base.listRuns(query) }
    func unfinishedRunCounts() async throws -> [RunCount] { try await base.unfinishedRunCounts() }
    func upsertSchedule(_ schedule: Schedule, now: Date) async throws -> Schedule { try await base.upsertSchedule(schedule, now: now) }
    func schedules() async throws -> [Schedule] { try await base.schedules() }
    func deleteSchedule(_ id: String) async throws -> Bool { try await base.deleteSchedule(id) }
    func dueSchedules(taskNames: [String], now: Date) async throws -> [Schedule] { try await base.dueSchedules(taskNames: taskNames, now: now) }
    func nextScheduleFireTime(taskNames: [String]) async throws -> Date? { try await base.nextScheduleFireTime(taskNames: taskNames) }
    func setScheduleEnabled(_ id: String, isEnabled: Bool, nextFireAt: Date?, now: Date) async throws -> Schedule? {
        try await base.setScheduleEnabled(id, isEnabled: isEnabled, nextFireAt: nextFireAt, now: now)
    }
    func fireSchedule(_ id: String, tick: Date, nextFireAt: Date?, run: NewRun) async throws -> Bool {
        try await base.fireSchedule(id, tick: tick, nextFireAt: nextFireAt, run: run)
    }
}
