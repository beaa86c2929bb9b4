public import Foundation

/// Durable storage for runs, their journals and what wakes them.
///
/// Every method is one transaction. Times come from the engine's clock (the `now` parameters),
/// never from the store's, so tests can skip time. Writes about a run in flight present its
/// ``Lease`` and fail with ``KeelError/Code/leaseLost`` if the lease was taken over (fencing).
///
/// `KeelSQLite` provides ``RunStore`` on an embedded SQLite file (`.sqlite(path:)`); every store
/// passes the same conformance tests.
public protocol RunStore: Sendable {
    /// Where the code of runs on this store executes, and its triggers' commits start; `nil`
    /// (the default) for Keel's run threads, where code may block (a SQLite commit does).
    ///
    /// A store that talks to its database from event loops gives one that runs each job on
    /// the loop its awaited answer came back on, saving two thread hand-offs per statement.
    var runExecutor: (any TaskExecutor)? { get }

    /// Creates a run; with `lease`, already leased to the triggering worker (local hand-off),
    /// which saves a claim.
    func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun

    /// Leases up to `request.limit` due runs of `request.queue` to `request.workerID`: the oldest
    /// due are the ones picked (priority counted), in no particular order within the result.
    ///
    /// A run is due when it is queued or waiting and its time has come, or when the lease of the
    /// worker executing it has lapsed. Runs whose time to live ran out before they started are
    /// expired first, also when `request.limit` is 0 (a worker with no free slot asks for that).
    func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun]

    /// Appends `transition.entries` to the run's journal and applies `transition.change`, in one
    /// transaction, if `lease` is still the run's current lease.
    /// - Throws: ``KeelError/Code/leaseLost`` when it is not; nothing is written then.
    func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws

    /// Extends the leases `workerID` holds on `runIDs` (the runs it is executing) to `expiresAt`
    /// (the heartbeat). Leases on other runs are left to lapse.
    /// - Returns: the runs `workerID` still holds; a run it executes that is missing was taken
    ///   over or cancelled, and its execution stops.
    func renewLeases(workerID: String, runIDs: [RunID], expiresAt: Date) async throws -> Set<RunID>

    /// Releases every lease `workerID` holds so other workers can claim the runs at once.
    func releaseLeases(workerID: String, now: Date) async throws

    /// Cancels a run that has not finished, and its unfinished descendants, journaling
    /// `run.cancelled` for each.
    /// - Returns: the runs cancelled, `id` first when it was unfinished; empty if it had finished.
    /// - Throws: ``KeelError/Code/runNotFound``.
    func cancelRun(_ id: RunID, now: Date) async throws -> [RunID]

    /// Makes a parked run claimable again, to be replayed by (fixed) code.
    /// - Throws: ``KeelError/Code/runNotFound``, or ``KeelError/Code/invalidState`` if it is not parked.
    func resumeParkedRun(_ id: RunID, now: Date) async throws -> RunRecord

    /// The run with `id`, if it exists.
    func run(_ id: RunID) async throws -> RunRecord?

    /// The statuses of those of `ids` that exist, in one read: for callers waiting on many runs'
    /// outcomes. The default asks ``run(_:)`` for each.
    func statuses(of ids: [RunID]) async throws -> [RunID: RunStatus]

    /// The run's journal, in sequence order.
    func journal(_ id: RunID) async throws -> [JournalEntry]

    /// The run's journal entries from sequence `fromSequence` on, in order (for followers).
    func journal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry]

    /// Calls `onWork` whenever another process may have made work due (a run triggered, a token
    /// completed, a child finished), until the calling task is cancelled. Stores without
    /// notifications return at once (the default), and the engine relies on polling.
    func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws

    /// The earliest time a run of one of `queues` that another worker does not hold becomes due.
    func nextDueTime(queues: [String], workerID: String) async throws -> Date?

    // MARK: Waitpoints

    /// Makes the run wait on `waitpoint` (creating it if no waitpoint has its id), in one
    /// transaction under `lease`: if it is already completed or timed out, answers so and
    /// changes nothing; otherwise suspends the run (status waiting, lease released) until it
    /// completes or times out.
    func awaitWaitpoint(_ waitpoint: Waitpoint, lease: Lease, now: Date) async throws -> WaitResolution
    /// Completes the token waitpoint `id` with `payload` and wakes the run waiting on it.
    /// - Throws: ``KeelError/Code/tokenNotFound``; ``KeelError/Code/invalidState`` if it was
    ///   already completed or has timed out, or its run has finished (cancelled, say).
    func completeToken(_ id: String, payload: Data, now: Date) async throws -> Waitpoint
    /// Completes every event waitpoint pending on `name` whose run still waits, with `payload`,
    /// waking their runs (a cancelled run's wait takes no event).
    /// - Returns: the runs woken.
    func sendEvent(_ name: String, payload: Data, now: Date) async throws -> [RunID]
    /// The waitpoint with `id`, if any.
    func waitpoint(_ id: String) async throws -> Waitpoint?

    // MARK: Run logs

    /// Appends `lines` (of one or more runs) to their runs' logs in one transaction, each at its
    /// run's next sequence number, oldest first; ``RunLogLine/sequence`` is ignored. A run keeps
    /// at most `maximumPerRun` lines: the first `maximumPerRun - 1` lines as written, then, in
    /// the last slot, ``RunLogLine/limitReached(runID:limit:loggedAt:)`` in place of the next
    /// line; later lines are dropped. Lines of an unknown run are dropped. ``commit(_:lease:now:)`` writes ``RunTransition/logs`` the same way.
    func appendRunLogs(_ lines: [RunLogLine], maximumPerRun: Int) async throws
    /// The run's log lines with a sequence number above `afterSequence` (all when `nil`), oldest
    /// first, at most `limit`.
    func runLogs(_ id: RunID, afterSequence: Int?, limit: Int) async throws -> [RunLogLine]

    /// Runs matching `query`, newest first.
    func listRuns(_ query: RunQuery) async throws -> [RunRecord]

    /// How many runs each queue holds in each unfinished status (queued, running, waiting,
    /// parked), for queue depth.
    func unfinishedRunCounts() async throws -> [RunCount]

    // MARK: Schedules

    /// Creates or replaces the schedule with `schedule.id`. When its cron, time zone or input
    /// changed (or it is new), its next tick becomes `schedule.nextFireAt`; otherwise the stored
    /// next tick stays. Returns the schedule as stored.
    func upsertSchedule(_ schedule: Schedule, now: Date) async throws -> Schedule
    /// Every schedule, by id.
    func schedules() async throws -> [Schedule]
    /// Deletes a schedule. - Returns: whether it existed.
    func deleteSchedule(_ id: String) async throws -> Bool
    /// Schedules of `taskNames` whose next tick is at or before `now`.
    func dueSchedules(taskNames: [String], now: Date) async throws -> [Schedule]
    /// The earliest next tick of the schedules of `taskNames`.
    func nextScheduleFireTime(taskNames: [String]) async throws -> Date?
    /// Enables or disables the schedule `id`. Enabling sets its next tick to `nextFireAt` (ticks
    /// missed while disabled are not made up); disabling keeps the stored next tick for display,
    /// but ``dueSchedules(taskNames:now:)`` and ``nextScheduleFireTime(taskNames:)`` skip disabled
    /// schedules. ``upsertSchedule(_:now:)`` keeps the stored flag of an existing schedule.
    /// - Returns: the schedule as stored, or `nil` when no schedule has that id.
    func setScheduleEnabled(_ id: String, isEnabled: Bool, nextFireAt: Date?, now: Date) async throws -> Schedule?
    /// Fires one tick, at most once across engines: if the schedule's next tick is still
    /// `tick`, moves it to `nextFireAt` and creates `run`, in one transaction.
    /// - Returns: whether this call fired the tick (false: another engine did, or it changed).
    func fireSchedule(_ id: String, tick: Date, nextFireAt: Date?, run: NewRun) async throws -> Bool
}

extension RunStore {
    /// Keel's run threads.
    public var runExecutor: (any TaskExecutor)? { nil }

    /// No notifications: the engine polls (``KeelEngine/Configuration/pollInterval``).
    public func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws {}

    /// One ``run(_:)`` per id.
    public func statuses(of ids: [RunID]) async throws -> [RunID: RunStatus] {
        var statuses: [RunID: RunStatus] = [:]
        for id in ids {
            if let record = try await run(id) { statuses[id] = record.status }
        }
        return statuses
    }
}
