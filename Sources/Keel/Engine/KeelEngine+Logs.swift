public import Foundation
import Logging
import Synchronization

extension KeelEngine {
    /// The log of a run: the lines its task wrote through ``TaskContext/logger`` (and the
    /// engine's own lines about the run), oldest first.
    ///
    /// Lines are stored with the run's next journal commit, so a line written in the middle of a
    /// long step appears when that step completes.
    /// - Parameters:
    ///   - id: the run.
    ///   - afterSequence: only lines after this one (for followers); all when `nil`.
    ///   - limit: the most lines returned.
    /// - Throws: ``KeelError/Code/runNotFound``.
    public func logs(of id: RunID, afterSequence: Int? = nil, limit: Int = 1000) async throws -> [RunLogLine] {
        _ = try await run(id)
        return try await store.runLogs(id, afterSequence: afterSequence, limit: max(1, limit))
    }

    /// Writes the lines a run left after its last commit, when it stops executing here.
    func writeRemainingLogs(of runID: RunID) async {
        let lines = runLogs.take(runID)
        guard !lines.isEmpty, !state.withLock({ $0.crashed }) else { return }
        do {
            try await store.appendRunLogs(lines, maximumPerRun: configuration.maximumLogLinesPerRun)
            runChanges.notify(runID)
        } catch {
            logger.warning("cannot store a run's log lines", metadata: ["keel.run.id": .string(runID.rawValue), "error.message": .string("\(error)")])
        }
    }

    /// Checks that `input` is JSON the input of `taskName` decodes from, without triggering.
    ///
    /// The dashboard checks an edited input with this before it re-runs a task.
    /// - Throws: ``KeelError/Code/unknownTask``, ``KeelError/Code/invalidInput`` naming what did
    ///   not decode, ``KeelError/Code/payloadTooLarge``.
    public func validateInput(taskName: String, input: Data) throws {
        let task = try registry.task(named: taskName)
        try checkPayloadSize(input, what: "the input of task '\(taskName)'")
        try task.validateInput(input)
    }
}
