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

    /// Metadata every line of a run carries; not repeated in the stored lines.
    static let implicitKeys: Set<String> = ["keel.run.id", "keel.task.name", "keel.worker.id"]

    /// A logger for the run `runID`, wrapping `logger`'s handler and metadata.
    static func logger(wrapping logger: Logger, runID: RunID, collector: RunLogCollector, captureLevel: Logger.Level, clock: any KeelClock) -> Logger {
        let handler = RunLogHandler(underlying: logger.handler, runID: runID, collector: collector, captureLevel: captureLevel, clock: clock)
        return Logger(label: logger.label, factory: { _ in handler })
    }

    var metadata: Logger.Metadata {
        get { underlying.metadata }
        set { underlying.metadata = newValue }
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
        get { underlying[metadataKey: key] }
        set { underlying[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= captureLevel {
            var merged = underlying.metadata
            if let provided = underlying.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
            if let metadata = event.metadata { merged.merge(metadata) { _, new in new } }
            var text: [String: String] = [:]
            for (key, value) in merged where !Self.implicitKeys.contains(key) { text[key] = "\(value)" }
            collector.append(RunLogLine(runID: runID, level: event.level, message: event.message.description, metadata: text, loggedAt: clock.now()))
        }
        if event.level >= underlying.logLevel {
            underlying.log(event: event)
        }
    }
}
