import Foundation
import Synchronization
import Logging

extension TaskContext {
    /// Records how the task body ended: completed, failed, retried from the top, or parked.
    /// Nothing is written when the run already stopped here (suspended, lease lost, cancelled).
    func finish(with outcome: Result<Data, any Error>) async {
        defer { releaseSlot() }
        switch state.withLock({ $0.stop }) {
        case .suspended?, .leaseLost?:
            return
        case .storeFailed?:
            await engine.handBack(lease, entries: takeDeferred(), logger: logger)
            return
        case .nonDeterminism(let error)?:
            await settle(.parked(RecordedError(error)))
            return
        case nil:
            break
        }
        switch outcome {
        case .success(let output):
            if let unconsumed = state.withLock({ $0.history.outcome(at: $0.position) }) {
                let position = state.withLock { $0.position }
                let error = NonDeterminismError(position: position, recorded: unconsumed.call.description, attempted: "return (the task finished)")
                await settle(.parked(RecordedError(error)))
                return
            }
            do {
                try engine.checkPayloadSize(output, what: "the output of task '\(taskName)'")
            } catch {
                await finishFailed(RecordedError(error))
                return
            }
            do {
                try await runSuccessHooks(output: output)
            } catch {
                await stopAfterInterruptedEpilogue()
                return
            }
            await settle(.completed(output: output))
        case .failure(let error):
            await finish(throwing: error)
        }
    }

    private func finish(throwing error: any Error) async {
        if let mismatch = error as? NonDeterminismError {
            await settle(.parked(RecordedError(mismatch)))
            return
        }
        if Task.isCancelled {
            // Cancelled by the user (the store already says so) or by a shutdown past its grace
            // period: then release the run to another worker.
            if engine.draining.isOpen {
                try? await engine.commit(RunTransition(entries: takeDeferred(), change: .suspended(status: .queued, wakeAt: clock.now())), lease: lease)
            }
            return
        }
        let recorded = RecordedError(error)
        let retriesLeft = !(error is StepFailedError) && recorded.isRetryable && retryPolicy.allowsRetry(afterAttempt: attempt)
        guard retriesLeft else {
            await finishFailed(recorded)
            return
        }
        let retryAt = clock.now().adding(retryPolicy.delay(afterAttempt: attempt, unitRandom: Double.random(in: 0..<1)))
        let entry = makeEntry(position: nil, kind: .runRetried, name: taskName, attempt: attempt, error: recorded, wakeAt: retryAt)
        logger.info("task failed; retrying from the top", metadata: ["keel.run.attempt": .stringConvertible(attempt), "error.message": .string(recorded.message)])
        await settle(.retrying(attempt: attempt + 1, wakeAt: retryAt), entries: [entry])
    }

    /// Fails the run for good: compensations first, then failure hooks, then the status.
    private func finishFailed(_ error: RecordedError) async {
        do {
            try await runCompensations()
            try await runFailureHooks(error: error)
        } catch {
            await stopAfterInterruptedEpilogue()
            return
        }
        await settle(.failed(error))
    }

    /// The epilogue (compensations, hooks) stopped: suspended or lease lost (another claim goes
    /// on from the journal), or the code diverged from the journal (parked).
    private func stopAfterInterruptedEpilogue() async {
        if case .nonDeterminism(let error)? = state.withLock({ $0.stop }) {
            await settle(.parked(RecordedError(error)))
        }
    }

    private func runSuccessHooks(output: Data) async throws {
        if let hook = task.onSuccess {
            try await runHook("onSuccess") { try await hook(self.runID, self.input, output) }
        }
        if let hook = engine.configuration.hooks.onSuccess {
            let run = FinishedRun(runID: runID, taskName: taskName, input: input, output: output, error: nil)
            try await runHook("global onSuccess") { try await hook(run) }
        }
    }

    private func runFailureHooks(error: RecordedError) async throws {
        if let hook = task.onFailure {
            try await runHook("onFailure") { try await hook(self.runID, self.input, error) }
        }
        if let hook = engine.configuration.hooks.onFailure {
            let run = FinishedRun(runID: runID, taskName: taskName, input: input, output: nil, error: error)
            try await runHook("global onFailure") { try await hook(run) }
        }
    }

    /// A hook as a durable step; failing for good is journaled and logged, not fatal.
    private func runHook(_ name: String, _ body: () async throws -> Void) async throws {
        do {
            try await step(name, operation: body)
        } catch let error as StepFailedError {
            logger.error("hook failed", metadata: ["keel.hook": .string(name), "error.message": .string(error.description)])
        }
    }

    /// Commits the run's final change with the entries deferred to it (the last step's result).
    ///
    /// The run's code has returned: its slot goes back first, so the next run starts while this
    /// outcome is written (on PostgreSQL under load, the last of a three-step run's three
    /// writes: +13 % runs/s in the benchmark's Ac, measured) and a caller woken by the outcome
    /// finds the slot free. If the write fails the run is handed
    /// back, or its lease lapses, and it resumes from its journal like any run whose worker
    /// stopped.
    private func settle(_ change: RunTransition.Change, entries: [JournalEntry] = []) async {
        let deferred = takeDeferred()
        releaseSlot()
        do {
            try await engine.commit(RunTransition(entries: deferred + entries, change: change), lease: lease)
            if parentID != nil { engine.workAvailable.notify(0) }
            switch change {
            case .completed:
                engine.metrics.runCompleted(task: taskName)
                logger.debug("run completed")
            case .failed(let error):
                engine.metrics.runFailed(task: taskName)
                logger.info("run failed", metadata: ["error.message": .string(error.message)])
            case .parked(let error): logger.error("run parked", metadata: ["error.message": .string(error.message)])
            default: break
            }
        } catch let error as KeelError where error.code == .storeFailure {
            logger.warning("cannot record the run's outcome; handing the run back", metadata: ["error.message": .string(error.message)])
            await engine.handBack(lease, entries: deferred, logger: logger)
        } catch {
            logger.warning("cannot record the run's outcome", metadata: ["error.message": .string("\(error)")])
        }
    }
}
