import Foundation
import Logging

/// The log handler of ``TaskContext/logger``: hands every line at the capture level or above to
/// the run's log (``RunLogCollector``), and forwards the lines its own level lets through to the
/// engine's handler, so the console shows what it showed before.
struct RunLogHandler: LogHandler {
    /// The engine's handler: console, files, whatever the application bootstrapped.
    var underlying: any LogHandler
    let runID: RunID
    let collector: RunLogCollector
    let captureLevel: Logger.Level
    let clock: any KeelClock
    /// The metadata set on the run's logger (its run id and task name, then whatever its code
    /// sets), over `underlying`'s own: kept here and passed along with each line forwarded,
    /// rather than set on `underlying`, which may render all its metadata again on every change
    /// (`StreamLogHandler` does) — twice per run, for lines most runs never write.
    private var runMetadata: Logger.Metadata

    /// Metadata every line of a run carries; not repeated in the stored lines.
    static let implicitKeys: Set<String> = ["keel.run.id", "keel.task.name", "keel.worker.id"]

    /// A logger for the run `runID` of `taskName`, wrapping `logger`'s handler and metadata, with
    /// the run's id and task name as metadata.
    static func logger(
        wrapping logger: Logger, runID: RunID, taskName: String, collector: RunLogCollector, captureLevel: Logger.Level,
        clock: any KeelClock
    ) -> Logger {
        let handler = RunLogHandler(
            underlying: logger.handler, runID: runID, collector: collector, captureLevel: captureLevel, clock: clock,
            runMetadata: ["keel.run.id": .string(runID.rawValue), "keel.task.name": .string(taskName)]
        )
        return Logger(label: logger.label, factory: { _ in handler })
    }

    var metadata: Logger.Metadata {
        get { underlying.metadata.merging(runMetadata) { _, own in own } }
        set {
            underlying.metadata = [:]
            runMetadata = newValue
        }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { underlying.metadataProvider }
        set { underlying.metadataProvider = newValue }
    }

    /// The more verbose of the engine's level and the capture level: `Logger` asks for both.
    var logLevel: Logger.Level {
        get { min(underlying.logLevel, captureLevel) }
        set { underlying.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { runMetadata[key] ?? underlying[metadataKey: key] }
        set {
            runMetadata[key] = newValue
            if newValue == nil, underlying[metadataKey: key] != nil { underlying[metadataKey: key] = nil }
        }
    }

    func log(event: LogEvent) {
        if event.level >= captureLevel {
            var merged = metadata
            if let provided = underlying.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
            if let metadata = event.metadata { merged.merge(metadata) { _, new in new } }
            var text: [String: String] = [:]
            for (key, value) in merged where !Self.implicitKeys.contains(key) { text[key] = "\(value)" }
            collector.append(RunLogLine(runID: runID, level: event.level, message: event.message.description, metadata: text, loggedAt: clock.now()))
        }
        if event.level >= underlying.logLevel {
            var forwarded = event
            forwarded.metadata = event.metadata.map { runMetadata.merging($0) { _, line in line } } ?? runMetadata
            underlying.log(event: forwarded)
        }
    }
}
