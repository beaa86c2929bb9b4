public import Foundation
public import Logging

/// One line a run wrote through ``TaskContext/logger``, as the store keeps it.
///
/// The engine captures each run's lines (at ``KeelEngine/Configuration/runLogLevel`` and above)
/// and stores them with the run's next journal commit, so logging costs no extra write. The
/// store keeps at most ``KeelEngine/Configuration/maximumLogLinesPerRun`` lines per run.
public struct RunLogLine: Sendable, Hashable, Codable {
    /// The run that wrote the line.
    public var runID: RunID
    /// The line's order in the run's log, from 0; assigned by the store (ignored when appending).
    public var sequence: Int
    /// Its level.
    public var level: Logger.Level
    /// The message.
    public var message: String
    /// The line's metadata as text, without the keys every line of the run carries
    /// (`keel.run.id`, `keel.task.name`, `keel.worker.id`).
    public var metadata: [String: String]
    /// When it was logged, by the engine's clock.
    public var loggedAt: Date

    /// Creates a line.
    public init(runID: RunID, sequence: Int = 0, level: Logger.Level, message: String, metadata: [String: String] = [:], loggedAt: Date) {
        self.runID = runID
        self.sequence = sequence
        self.level = level
        self.message = message
        self.metadata = metadata
        self.loggedAt = loggedAt
    }

    /// The line a store writes in place of the first one over a run's limit.
    public static func limitReached(runID: RunID, limit: Int, loggedAt: Date) -> RunLogLine {
        RunLogLine(
            runID: runID, level: .warning,
            message: "this run reached its limit of \(limit) log lines; later lines are not stored (maximumLogLinesPerRun)",
            loggedAt: loggedAt
        )
    }
}
