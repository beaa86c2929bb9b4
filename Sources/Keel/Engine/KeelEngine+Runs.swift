public import Foundation
import Synchronization
import Logging

extension KeelEngine {
    /// Triggers a run of `task` with `input`.
    ///
    /// The run is persisted before this returns. If this engine is running and has a free slot,
    /// the run starts here at once (local hand-off); otherwise any worker claims it when due.
    /// - Throws: ``KeelError`` with ``KeelError/Code/unknownTask`` if the task is not registered,
    ///   ``KeelError/Code/encodingFailed`` or ``KeelError/Code/payloadTooLarge`` for a bad input.
    @discardableResult
    public func trigger<Task: TaskDefinition>(
        _ task: Task.Type,
        input: Task.Input,
        options: TriggerOptions = .init()
    ) async throws -> RunHandle<Task.Output> {
        _ = try registry.task(named: Task.name)
        let data = try JSONCoding.encode(input, what: "the input of task '\(Task.name)'")
        let created = try await createRun(taskName: Task.name, input: data, options: options)
        return RunHandle(id: created.id, engine: self, queuedForThisEngine: created.queuedForThisEngine)
    }

    /// Triggers a run of a closure-defined `task` with `input`.
    @discardableResult
    public func trigger<Input, Output>(
        _ task: ClosureTask<Input, Output>,
        input: Input,
        options: TriggerOptions = .init()
    ) async throws -> RunHandle<Output> {
        _ = try registry.task(named: task.taskName)
        let data = try JSONCoding.encode(input, what: "the input of task '\(task.taskName)'")
        let created = try await createRun(taskName: task.taskName, input: data, options: options)
        return RunHandle(id: created.id, engine: self, queuedForThisEngine: created.queuedForThisEngine)
    }

    /// Triggers a run by task name with a JSON input, as the HTTP API and the CLI do.
    /// - Throws: ``KeelError`` with ``KeelError/Code/unknownTask`` for an unregistered name,
    ///   ``KeelError/Code/invalidInput`` if `input` is not JSON the task's `Input` decodes from,
    ///   ``KeelError/Code/payloadTooLarge``. Nothing is written when it throws.
    @discardableResult
    public func trigger(taskName: String, input: Data, options: TriggerOptions = .init()) async throws -> RunID {
        // The size first, so an oversized input is not decoded; options are checked in createRun.
        let task = try registry.task(named: taskName)
        try checkPayloadSize(input, what: "the input of task '\(taskName)'")
        try task.validateInput(input)
        return try await createRun(taskName: taskName, input: input, options: options).id
    }

    /// A handle on an existing run, to await its result.
    public func handle<Output: Codable & Sendable>(for id: RunID, output: Output.Type = Output.self) -> RunHandle<Output> {
        RunHandle(id: id, engine: self)
    }

    /// A run created by a trigger here.
    struct CreatedHere: Sendable {
        let id: RunID
        /// Whether it waits, queued, for this engine to claim it: not started at once, on a queue
        /// this (running) engine claims from — most likely claimed and settled here.
        let queuedForThisEngine: Bool
    }

    /// Creates the run on a run thread (see `RunExecutor`): there its commit needs no hand-off to
    /// the writer's thread and back, and a run that starts here is enqueued by a run thread, which
    /// wakes no other. From a run's code (a child's trigger) it is already there.
    private func createRun(taskName: String, input: Data, options: TriggerOptions) async throws -> CreatedHere {
        try await withTaskExecutorPreference(runExecutor) {
            try await createRunHere(taskName: taskName, input: input, options: options)
        }
    }

    private func createRunHere(taskName: String, input: Data, options: TriggerOptions) async throws -> CreatedHere {
        try checkPayloadSize(input, what: "the input of task '\(taskName)'")
        let now = clock.now()
        let newRun = try makeNewRun(taskName: taskName, input: input, options: options, now: now)
        // Local hand-off: start here at once when a slot is free, leased from creation — only on
        // a queue without limits, whose runs need no claim-time check.
        let startsHere = newRun.availableAt <= now && newRun.idempotencyKey == nil && newRun.debounceKey == nil
            && queues[newRun.queue]?.hasLimits != true && isAcceptingWork && slots.tryAcquire(upTo: 1) == 1
        let created: CreatedRun
        do {
            created = try await store.createRun(
                newRun,
                lease: startsHere ? (workerID, now.adding(configuration.leaseDuration)) : nil
            )
        } catch {
            if startsHere { slots.release() }
            throw error
        }
        if startsHere, let lease = created.lease {
            startExecution(of: ClaimedRun(record: created.record, lease: lease), journal: [])
            return CreatedHere(id: created.record.id, queuedForThisEngine: false)
        }
        if startsHere { slots.release() }
        if !created.isExisting { workAvailable.notify(0) }
        let queuedHere = !created.isExisting && created.record.status == .queued && queues[newRun.queue] != nil && isAcceptingWork
        return CreatedHere(id: created.record.id, queuedForThisEngine: queuedHere)
    }

    /// The run to create for a trigger of `taskName` with `options` at `now`.
    /// - Throws: ``KeelError/Code/unknownTask``, ``KeelError/Code/invalidInput`` for bad options.
    func makeNewRun(taskName: String, input: Data, options: TriggerOptions, now: Date) throws -> NewRun {
        let task = try registry.task(named: taskName)
        try options.validate()
        var availableAt = now
        if let delay = options.delay { availableAt = max(availableAt, now.adding(delay)) }
        if let startAt = options.startAt { availableAt = max(availableAt, startAt) }
        if let debounce = options.debounce { availableAt = max(availableAt, now.adding(debounce.delay)) }
        return NewRun(
            id: RunID.make(at: now), taskName: taskName, taskVersion: task.version,
            queue: options.queue ?? task.queue?.name ?? configuration.queue, input: input, createdAt: now,
            availableAt: availableAt, priority: options.priority ?? .zero, concurrencyKey: options.concurrencyKey,
            expiresAt: options.timeToLive.map { availableAt.adding($0) }, idempotencyKey: options.idempotencyKey,
            idempotencyKeyExpiresAt: options.idempotencyKey.map { _ in now.adding(options.idempotencyKeyTTL ?? TriggerOptions.defaultIdempotencyKeyTTL) },
            debounceKey: options.debounce?.key, tags: options.tags
        )
    }

    /// Triggers one run of `taskName` per input (JSON), as the HTTP API's batch route does.
    /// Every input is checked before any run is created.
    /// - Returns: the run ids, in input order.
    public func batchTrigger(taskName: String, inputs: [Data], options: TriggerOptions = .init()) async throws -> [RunID] {
        try await batchTrigger(taskName: taskName, items: inputs.map { (input: $0, options: options) })
    }

    /// Triggers one run of `taskName` per item, each with its own JSON input and options.
    /// Every item is checked before any run is created, and an error names the item's index.
    /// - Returns: the run ids, in item order.
    public func batchTrigger(taskName: String, items: [(input: Data, options: TriggerOptions)]) async throws -> [RunID] {
        let task = try registry.task(named: taskName)
        for (index, item) in items.enumerated() {
            do {
                try checkPayloadSize(item.input, what: "the input of task '\(taskName)'")
                try task.validateInput(item.input)
                try item.options.validate()
            } catch let error as KeelError {
                throw KeelError(error.code, "item \(index): \(error.message)")
            }
        }
        var ids: [RunID] = []
        for item in items {
            ids.append(try await createRun(taskName: taskName, input: item.input, options: item.options).id)
        }
        return ids
    }

    func checkPayloadSize(_ data: Data, what: @autoclosure () -> String) throws {
        if data.count > configuration.maximumPayloadBytes {
            throw KeelError(
                .payloadTooLarge,
                "\(what()) is \(data.count) bytes, over the limit of \(configuration.maximumPayloadBytes) bytes (maximumPayloadBytes)"
            )
        }
    }

    // MARK: Looking runs up

    /// The run with `id`.
    /// - Throws: ``KeelError/Code/runNotFound``.
    public func run(_ id: RunID) async throws -> RunRecord {
        guard let record = try await store.run(id) else { throw KeelError(.runNotFound, "no run with id '\(id)'") }
        return record
    }

    /// The run's journal, in order.
    /// - Throws: ``KeelError/Code/runNotFound``.
    public func journal(_ id: RunID) async throws -> [JournalEntry] {
        // Entries exist only for a run that exists: the run is looked up only when there are none.
        let entries = try await store.journal(id)
        if entries.isEmpty { _ = try await run(id) }
        return entries
    }

    /// Runs matching `query`, newest first.
    public func listRuns(_ query: RunQuery = .init()) async throws -> [RunRecord] {
        try await store.listRuns(query)
    }

    /// Cancels a run that has not finished: its status becomes ``RunStatus/cancelled`` and, if it
    /// is executing here, its Swift task is cancelled (the step in flight sees the cancellation).
    /// - Returns: the run after the change (unchanged if it had already finished).
    @discardableResult
    public func cancel(_ id: RunID) async throws -> RunRecord {
        let cancelled = try await store.cancelRun(id, now: clock.now())
        let local = state.withLock { state in
            state.unsettledHere.subtract(cancelled)
            return cancelled.compactMap { state.activeRuns[$0] }
        }
        for task in local { task.cancel() }
        _ = claimedAhead.drop(Set(cancelled))
        for runID in cancelled {
            settlements.notify(runID)
            runChanges.notify(runID)
        }
        // A cancelled child may have settled its parent's wait.
        if !cancelled.isEmpty { workAvailable.notify(0) }
        return try await run(id)
    }

    /// Resumes a parked run: it is replayed by the code now deployed, from the top of its journal.
    /// - Throws: ``KeelError/Code/invalidState`` if the run is not parked.
    @discardableResult
    public func resume(_ id: RunID) async throws -> RunRecord {
        let record = try await store.resumeParkedRun(id, now: clock.now())
        runChanges.notify(id)
        workAvailable.notify(0)
        return record
    }

    /// Waits until the run completes, fails, is cancelled or expires, or is parked.
    /// - Parameter queuedForThisEngine: the run was triggered here to wait for this engine's
    ///   claim (see ``CreatedHere``): the poll reads it later at first.
    func waitUntilSettled(_ id: RunID, queuedForThisEngine: Bool = false) async throws -> SettlementPoller.Outcome {
        while true {
            let ticket = settlements.arm(id)
            // Watched first, so that an outcome written here from now on is kept for this caller.
            settlementPoller.watch(id, firstReadAfter: queuedForThisEngine ? SettlementPoller.firstIntervalQueuedHere : SettlementPoller.firstInterval)
            defer { settlementPoller.unwatch(id) }
            // A run executing here has not settled: its outcome will notify (or the poll finds it).
            if !state.withLock({ $0.unsettledHere.contains(id) }) {
                let status: RunStatus?
                do {
                    // The status alone (no record to decode) until the run has settled, read
                    // with those of the other callers arriving now.
                    status = try await statusReader.status(of: id)
                } catch {
                    settlements.disarm(ticket)
                    throw error
                }
                guard let status else {
                    settlements.disarm(ticket)
                    throw KeelError(.runNotFound, "no run with id '\(id)'")
                }
                if status.isTerminal || status == .parked {
                    settlements.disarm(ticket)
                    let record = try await run(id)
                    return SettlementPoller.Outcome(status: record.status, output: record.output, error: record.error)
                }
            }
            // Local outcomes notify at once; the shared poll catches runs finished by other processes.
            await settlements.wait(ticket)
            if let outcome = settlementPoller.outcome(of: id) { return outcome }
            try Task.checkCancellation()
        }
    }
}
