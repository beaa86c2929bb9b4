/// A run that was triggered, with its output type: await its result, look at its record.
public struct RunHandle<Output: Codable & Sendable>: Sendable {
    /// The run's identifier.
    public let id: RunID
    let engine: KeelEngine
    /// Whether the trigger left it queued for this engine to claim (see `KeelEngine.CreatedHere`).
    let queuedForThisEngine: Bool

    init(id: RunID, engine: KeelEngine, queuedForThisEngine: Bool = false) {
        self.id = id
        self.engine = engine
        self.queuedForThisEngine = queuedForThisEngine
    }

    /// Waits for the run to finish and returns its output.
    ///
    /// Returns as soon as the run completes, on this worker or any other sharing the store.
    /// - Throws: ``RunFailedError`` if the run failed, was cancelled or expired, or was parked
    ///   by non-determinism (resume it with ``KeelEngine/resume(_:)`` and wait again).
    public func result() async throws -> Output {
        let outcome = try await engine.waitUntilSettled(id, queuedForThisEngine: queuedForThisEngine)
        guard outcome.status == .completed, let output = outcome.output else {
            throw RunFailedError(runID: id, status: outcome.status, error: outcome.error)
        }
        return try JSONCoding.decode(Output.self, from: output, what: "the output of run \(id)")
    }

    /// The run's current record.
    public func record() async throws -> RunRecord { try await engine.run(id) }

    /// The run's current status.
    public func status() async throws -> RunStatus { try await record().status }
}
