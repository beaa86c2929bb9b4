import Foundation
import Synchronization
import Logging

extension TaskContext {
    /// Runs `operation` as a durable step and returns its result, journaled.
    ///
    /// Live, the body runs and its result is journaled. The result is committed before anything
    /// that depends on it leaves the run — the next step's body, a wait, a child run, the run's
    /// outcome — and together with the first of those that writes, so a run that returns right
    /// after its last step commits both at once. A crash before that commit runs the step again,
    /// as a crash during its body would: nothing outside the run saw the result. A failed attempt is
    /// journaled with its error and retried by `retry` (or the task's policy); a backoff longer than
    /// ``KeelEngine/Configuration/inMemoryWaitThreshold`` suspends the run instead of holding a
    /// slot. On replay the recorded result is decoded and returned without running the body.
    ///
    /// The body runs at least once; its recorded result is used exactly once. Names may repeat
    /// (in a loop, say): steps are identified by position and name.
    ///
    /// ```swift
    /// let answer = try await context.step("llm-\(turn)") { try await llm.complete(messages) }
    /// ```
    /// - Parameters:
    ///   - name: the step's name, shown in the journal and checked on replay.
    ///   - retry: the step's retry policy; `nil` uses the task's, then the engine's default.
    ///   - operation: the work; put side effects here. Cancellation of the run reaches it.
    /// - Returns: the body's result (live) or the recorded result (replay).
    /// - Throws: ``StepFailedError`` when the step fails for good, live or on replay.
    @discardableResult
    public func step<Result: Codable & Sendable>(
        _ name: String,
        retry: RetryPolicy? = nil,
        operation: () async throws -> Result
    ) async throws -> Result {
        let (position, recorded, pending) = try claimPosition(for: .step(name))
        if let recorded { return try replayStep(recorded, as: Result.self, position: position) }
        try await ensureLive()
        let policy = retry ?? retryPolicy
        var attempt = (pending?.failures ?? 0) + 1
        if let nextAttemptAt = pending?.nextAttemptAt { try await wait(until: nextAttemptAt) }
        while true {
            // The body's effects leave the run: what it may have read from earlier calls is durable first.
            try await commitDeferred()
            let startedAt = clock.now()
            let failure: any Error
            do {
                let value = try await StepScope.$current.withValue(StepScope(runID: runID, position: position, name: name, attempt: attempt)) {
                    try await operation()
                }
                let payload = try encodeResult(value, step: name)
                writeWithNextCommit(
                    makeEntry(position: position, kind: .stepCompleted, name: name, attempt: attempt, payload: payload, startedAt: startedAt)
                )
                engine.metrics.stepCompleted(task: taskName, startedAt: startedAt, now: clock.now())
                return value
            } catch is RunSuspension {
                throw RunSuspension()
            } catch {
                failure = error
            }
            // Cancellation (of the run, or of the worker shutting down) is not the step's failure.
            if Task.isCancelled { throw CancellationError() }
            let recordedError = RecordedError(failure)
            guard recordedError.isRetryable, policy.allowsRetry(afterAttempt: attempt) else {
                try await write([
                    makeEntry(position: position, kind: .stepFailed, name: name, attempt: attempt, error: recordedError, startedAt: startedAt)
                ])
                throw StepFailedError(stepName: name, position: position, attempts: attempt, underlying: recordedError)
            }
            let retryAt = clock.now().adding(policy.delay(afterAttempt: attempt, unitRandom: Double.random(in: 0..<1)))
            let entry = makeEntry(
                position: position, kind: .stepAttemptFailed, name: name, attempt: attempt, error: recordedError,
                startedAt: startedAt, wakeAt: retryAt
            )
            logger.info(
                "step attempt failed; retrying",
                metadata: ["keel.step.name": .string(name), "keel.step.attempt": .stringConvertible(attempt), "error.message": .string(recordedError.message)]
            )
            try await wait(until: retryAt, recording: entry)
            attempt += 1
        }
    }

    /// Runs `operation` as a durable step that returns nothing.
    /// - Throws: ``StepFailedError`` when the step fails for good.
    public func step(_ name: String, retry: RetryPolicy? = nil, operation: () async throws -> Void) async throws {
        _ = try await step(name, retry: retry) { () async throws -> NoResult in
            try await operation()
            return NoResult()
        }
    }

    private func replayStep<Result: Decodable>(_ entry: JournalEntry, as type: Result.Type, position: Int) throws -> Result {
        if entry.kind == .stepFailed {
            throw StepFailedError(
                stepName: entry.name, position: position, attempts: entry.attempt,
                underlying: entry.error ?? RecordedError(type: "Unknown", message: "no error recorded")
            )
        }
        do {
            return try JSONCoding.decodeRecorded(type, from: entry.payload ?? Data("null".utf8))
        } catch {
            let mismatch = NonDeterminismError(
                position: position,
                recorded: "step '\(entry.name)' with a result that does not decode as \(Result.self) (\(JSONCoding.describe(error)))",
                attempted: "step '\(entry.name)' expecting \(Result.self)"
            )
            state.withLock { $0.stop = .nonDeterminism(mismatch) }
            throw mismatch
        }
    }

    private func encodeResult<Value: Encodable>(_ value: Value, step name: String) throws -> Data {
        let payload = try JSONCoding.encode(value, what: "the result of step '\(name)'")
        try engine.checkPayloadSize(payload, what: "the result of step '\(name)'")
        return payload
    }
}

/// The journaled result of a step that returns nothing: JSON `null`.
struct NoResult: Codable, Sendable {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

extension TaskContext {
    /// Runs `operation` as a durable step and registers `compensate` to undo it: if the run later
    /// fails for good, the compensations of its completed steps run in reverse order, each as a
    /// journaled step (`compensate <name>`) retried by the task's policy (a saga).
    ///
    /// ```swift
    /// let charge = try await context.step("charge", compensate: { charge in try await payments.refund(charge.id) }) {
    ///     try await payments.charge(order.total, idempotencyKey: context.idempotencyKey)
    /// }
    /// ```
    /// On replay the recorded result is returned and its compensation registered again, so a run
    /// that fails after a crash still undoes every completed step.
    @discardableResult
    public func step<Result: Codable & Sendable>(
        _ name: String,
        retry: RetryPolicy? = nil,
        compensate: @escaping @Sendable (Result) async throws -> Void,
        operation: () async throws -> Result
    ) async throws -> Result {
        let value = try await step(name, retry: retry, operation: operation)
        state.withLock { $0.compensations.append(Compensation(stepName: name) { try await compensate(value) }) }
        return value
    }

    /// Runs the registered compensations, newest first, each as a durable step. A compensation
    /// that fails for good is journaled and the others still run.
    func runCompensations() async throws {
        let compensations = state.withLock { $0.compensations }
        for compensation in compensations.reversed() {
            do {
                try await step("compensate \(compensation.stepName)") { try await compensation.undo() }
            } catch let error as StepFailedError {
                logger.error("compensation failed", metadata: ["keel.step.name": .string(compensation.stepName), "error.message": .string(error.description)])
            }
        }
    }
}
