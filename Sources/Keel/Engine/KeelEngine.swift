import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs durable tasks: triggers runs, claims due runs from the store, executes them with their
/// journals, and recovers runs whose worker died.
///
/// The engine is a swift-service-lifecycle `Service`: add it to a `ServiceGroup` (or call
/// ``run()``) and it works until graceful shutdown, when it stops claiming, lets in-flight steps
/// finish for up to ``Configuration/shutdownGracePeriod``, and releases the leases of the runs it
/// will not finish so that another worker takes them at once.
///
/// ## Usage
///
/// ```swift
/// let engine = try KeelEngine(
///     configuration: .init(concurrency: 32),
///     store: try .sqlite(path: "keel.sqlite"),
///     tasks: [ShipOrder(payments: payments)],
///     logger: logger
/// )
/// let group = ServiceGroup(services: [engine], gracefulShutdownSignals: [.sigterm], logger: logger)
/// async let _ = group.run()
/// let run = try await engine.trigger(ShipOrder.self, input: .init(orderID: "o-42", amountCents: 1999))
/// let output = try await run.result()
/// ```
public final class KeelEngine: Service, Sendable {
    /// The engine's settings.
    public let configuration: Configuration
    /// The store runs and journals live in.
    public let store: any RunStore
    /// The engine's source of time.
    public let clock: any KeelClock
    /// Where runs' code executes: the store's ``RunStore/runExecutor``, else Keel's run threads.
    let runExecutor: any TaskExecutor
    let logger: Logger
    let registry: TaskRegistry
    /// The queues this engine claims from, by name, with their limits.
    let queues: [String: QueueDefinition]
    let slots: SlotPool
    /// Runs claimed beyond the free slots, started as slots free (``Configuration/claimAhead``).
    let claimedAhead = ClaimedAheadRuns()
    /// Wakes the claim loop: new local work, a freed slot.
    let workAvailable = Notifier<Int>()
    /// Whether runs may be due that the claim loop left for lack of a free slot (or waiting on a
    /// queue limit a finishing run may lift): only then does a freed slot wake the claim loop.
    let claimDemand = Flag(true)
    /// Wakes callers waiting for a run's outcome.
    let settlements = Notifier<RunID>()
    /// Polls the store for outcomes written elsewhere that callers wait for.
    let settlementPoller: SettlementPoller
    /// Reads the statuses callers of ``RunHandle/result()`` check first, batched.
    let statusReader: StatusReader
    /// Wakes followers of a run (the API's event stream) when its record or journal may have
    /// changed in this process.
    let runChanges = Notifier<RunID>()
    let metrics: EngineMetrics
    /// Log lines of runs executing here, waiting for their run's next commit.
    let runLogs: RunLogCollector
    /// Opens when the engine starts draining (graceful shutdown).
    let draining = Latch()
    let state = Mutex(LifecycleState())

    struct LifecycleState {
        enum Phase { case idle, running, draining, stopped }
        var phase = Phase.idle
        /// Set by ``simulateCrash()``: no more writes, as if the process had died.
        var crashed = false
        var activeRuns: [RunID: Task<Void, Never>] = [:]
        /// Runs executing here whose outcome is not written yet (their callers need not read).
        var unsettledHere: Set<RunID> = []
        /// How many times the claim loop went round, for tests that check it sleeps when idle.
        var claimPasses = 0
        /// When the claim loop next asks the store for due schedules: their next tick, at the
        /// latest a poll interval on (schedules another process made); `distantPast` after a
        /// local change.
        var scheduleCheckAt = Date.distantPast
    }

    /// How many times the claim loop went round since the engine started.
    package var claimPasses: Int { state.withLock { $0.claimPasses } }

    /// Creates an engine.
    /// - Parameters:
    ///   - configuration: queue, concurrency, leases, timeouts.
    ///   - store: where runs live, for example `.sqlite(path:)`.
    ///   - tasks: the tasks this engine can run; names must be unique.
    ///   - clock: the source of time; tests pass a virtual clock.
    ///   - logger: where the engine logs; runs log through ``TaskContext/logger``.
    /// - Throws: ``KeelError/Code/invalidConfiguration`` for a bad setting or a duplicate task name.
    public init(
        configuration: Configuration = .init(),
        store: some RunStore,
        tasks: [any TaskDefinition],
        clock: any KeelClock = SystemClock(),
        logger: Logger = Logger(label: "keel")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.store = store
        self.runExecutor = store.runExecutor ?? RunExecutor.shared
        self.clock = clock
        var logger = logger
        logger[metadataKey: "keel.worker.id"] = .string(configuration.workerID)
        self.logger = logger
        self.registry = try TaskRegistry(tasks)
        self.queues = try Self.queueDefinitions(configuration: configuration, registry: registry)
        self.settlementPoller = SettlementPoller(store: store, settlements: settlements)
        self.statusReader = StatusReader(store: store)
        self.runLogs = RunLogCollector(limit: configuration.maximumLogLinesPerRun)
        self.metrics = EngineMetrics(taskNames: registry.names, factory: configuration.metricsFactory)
        let workAvailable = self.workAvailable
        let claimDemand = self.claimDemand
        // A freed slot wakes the claim loop only when runs may wait for one.
        self.slots = SlotPool(capacity: configuration.concurrency) {
            if claimDemand.isSet { workAvailable.notify(0) }
        }
        settlementPoller.readOnlyRunsSettlingElsewhere { [weak self] ids in
            self?.state.withLock { state in Set(ids.filter { state.unsettledHere.contains($0) }) } ?? []
        }
    }

    /// The queues of `configuration` and of the tasks, one definition per name.
    private static func queueDefinitions(configuration: Configuration, registry: TaskRegistry) throws -> [String: QueueDefinition] {
        var queues: [String: QueueDefinition] = [configuration.queue: QueueDefinition(configuration.queue)]
        for queue in configuration.queues {
            try queue.validate()
            queues[queue.name] = queue
        }
        for task in registry.all {
            guard let queue = task.queue else { continue }
            try queue.validate()
            if let known = queues[queue.name], known != queue, known != QueueDefinition(queue.name) {
                throw KeelError(.invalidConfiguration, "queue '\(queue.name)' is defined twice with different limits (task '\(task.name)')")
            }
            queues[queue.name] = queue
        }
        return queues
    }

    /// The names of the tasks this engine runs.
    public var taskNames: [String] { registry.names }

    var workerID: String { configuration.workerID }

    var isAcceptingWork: Bool { state.withLock { $0.phase == .running && !$0.crashed } }

    // MARK: Writes

    /// Commits a run's transition, unless this engine has (simulated) crashed.
    func commit(_ transition: RunTransition, lease: Lease) async throws {
        if state.withLock({ $0.crashed }) { throw KeelError(.leaseLost, "the engine stopped (simulated crash)") }
        var transition = transition
        transition.logs = runLogs.take(lease.runID)
        transition.maximumLogLinesPerRun = configuration.maximumLogLinesPerRun
        do {
            try await store.commit(transition, lease: lease, now: clock.now())
        } catch {
            runLogs.restore(transition.logs, for: lease.runID)
            throw error
        }
        runChanges.notify(lease.runID)
        if let outcome = transition.change.outcome {
            _ = state.withLock { $0.unsettledHere.remove(lease.runID) }
            settlementPoller.offer(outcome, for: lease.runID)
        }
        switch transition.change {
        case .completed, .failed, .parked: settlements.notify(lease.runID)
        // Claimable again at a time the claim loop must learn.
        case .suspended, .retrying: workAvailable.notify(0)
        default: break
        }
    }

    // MARK: Executing runs

    /// Starts executing a run this engine holds the lease and a slot for.
    /// - Parameter checkingLease: read the run's lease first, and give the slot back without
    ///   executing it if the lease is no longer this worker's (a run claimed ahead that waited).
    func startExecution(of claimed: ClaimedRun, journal: [JournalEntry]?, checkingLease: Bool = false) {
        let runID = claimed.record.id
        state.withLock { state in
            state.unsettledHere.insert(runID)
            state.activeRuns[runID] = Task(executorPreference: runExecutor) {
                let held = checkingLease ? await self.stillHolds(claimed.lease) : true
                if held {
                    await self.execute(claimed, journal: journal)
                } else {
                    self.logger.info("lease lost while claimed ahead; not starting the run", metadata: ["keel.run.id": .string(runID.rawValue)])
                    self.releaseSlot()
                    self.settlements.notify(runID)
                }
                await self.writeRemainingLogs(of: runID)
                self.state.withLock { state in
                    state.activeRuns[runID] = nil
                    state.unsettledHere.remove(runID)
                }
                self.workAvailable.notify(1)
            }
        }
    }

    private func execute(_ claimed: ClaimedRun, journal: [JournalEntry]?) async {
        let record = claimed.record
        let logger = RunLogHandler.logger(
            wrapping: self.logger, runID: record.id, taskName: record.taskName, collector: runLogs,
            captureLevel: configuration.runLogLevel, clock: clock
        )
        let task: RegisteredTask
        let entries: [JournalEntry]
        do {
            task = try registry.task(named: record.taskName)
            if let journal {
                entries = journal
            } else {
                entries = try await store.journal(record.id)
            }
        } catch {
            logger.error("cannot start run", metadata: ["error.message": .string("\(error)")])
            releaseSlot()
            try? await commit(RunTransition(change: .failed(RecordedError(error))), lease: claimed.lease)
            return
        }
        runChanges.notify(record.id)
        if record.attempt == 1 && entries.isEmpty { metrics.runStarted(task: record.taskName) }
        let context = TaskContext(
            engine: self,
            task: task,
            record: record,
            lease: claimed.lease,
            history: ReplayHistory(entries: entries),
            retryPolicy: task.retryPolicy.resolved(engineDefault: configuration.defaultRetryPolicy),
            logger: logger
        )
        let outcome: Result<Data, any Error>
        do {
            outcome = .success(try await task.execute(record.input, context))
        } catch {
            outcome = .failure(error)
        }
        await context.finish(with: outcome)
    }

    // MARK: Lifecycle

    /// Runs the engine until graceful shutdown or cancellation: claims due runs, renews leases,
    /// and on shutdown drains and releases leases.
    public func run() async throws {
        try state.withLock { state in
            guard state.phase == .idle else {
                throw KeelError(.invalidState, "the engine is already running or has stopped; create a new one")
            }
            state.phase = .running
        }
        do {
            try await upsertDeclaredSchedules()
        } catch {
            state.withLock { $0.phase = .stopped }
            throw error
        }
        logger.info(
            "engine started",
            metadata: ["keel.queue": .string(configuration.queue), "keel.concurrency": .stringConvertible(configuration.concurrency)]
        )
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.heartbeatLoop() }
                    group.addTask {
                        let workAvailable = self.workAvailable
                        do {
                            try await self.store.listenForWork { workAvailable.notify(0) }
                        } catch {
                            self.logger.warning("the store stopped announcing work; polling", metadata: ["error.message": .string("\(error)")])
                        }
                    }
                    // Where runs execute, when the store has a place of its own for them: the claims'
                    // answers then come back to the thread that starts the claimed runs.
                    await withTaskExecutorPreference(self.store.runExecutor) { await self.claimLoop() }
                    await self.drainActiveRuns()
                    self.state.withLock { $0.phase = .stopped }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                self.beginDraining()
            }
        } onCancel: {
            self.beginDraining()
        }
        if !state.withLock({ $0.crashed }) {
            do {
                // Not cancelled with the engine's task: a cancelled engine still hands its runs back.
                let store = self.store, workerID = self.workerID, now = clock.now()
                try await Task { try await store.releaseLeases(workerID: workerID, now: now) }.value
            } catch {
                logger.error("cannot release leases on shutdown", metadata: ["error.message": .string("\(error)")])
            }
        }
        logger.info("engine stopped")
    }

    /// Stops claiming; runs in flight suspend at their next durable call.
    func beginDraining() {
        let wasRunning = state.withLock { state -> Bool in
            guard state.phase == .running || state.phase == .idle else { return false }
            state.phase = .draining
            return true
        }
        if wasRunning {
            logger.info("engine draining")
            draining.open()
            dropRunsClaimedAhead()
            workAvailable.notify(0)
        }
    }

    /// Waits for active runs up to the grace period, then cancels the rest and waits for them.
    private func drainActiveRuns() async {
        let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
        while ContinuousClock.now < deadline {
            let ticket = workAvailable.arm(1)
            if state.withLock({ $0.activeRuns.isEmpty }) {
                workAvailable.disarm(ticket)
                return
            }
            await workAvailable.wait(ticket) { try? await Task.sleep(until: deadline) }
        }
        let remaining = state.withLock { Array($0.activeRuns.values) }
        if !remaining.isEmpty {
            logger.warning("grace period over; cancelling runs in flight", metadata: ["keel.runs": .stringConvertible(remaining.count)])
        }
        for task in remaining { task.cancel() }
        for task in remaining { await task.value }
    }

    /// Stops the engine as if its process had died: nothing more is written, runs in memory are
    /// abandoned, leases are left to expire. For crash tests.
    package func simulateCrash() async {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            state.crashed = true
            return Array(state.activeRuns.values)
        }
        beginDraining()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}

extension RunTransition.Change {
    /// The run's outcome, when the change settles it.
    var outcome: SettlementPoller.Outcome? {
        switch self {
        case .completed(let output): SettlementPoller.Outcome(status: .completed, output: output)
        case .failed(let error): SettlementPoller.Outcome(status: .failed, error: error)
        case .parked(let error): SettlementPoller.Outcome(status: .parked, error: error)
        default: nil
        }
    }
}
