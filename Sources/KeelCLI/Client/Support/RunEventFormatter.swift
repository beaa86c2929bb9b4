import Foundation

/// Turns a run's server-sent events into the lines `keel runs watch` prints: the run, each
/// journal entry, each status change, and the end.
///
/// ```
/// 10:00:00.120  run 01JD… demo.steps: queued
/// 10:00:00.180  status running (attempt 1)
/// 10:00:00.190  #0 step.completed step  "step 1 of 3"
/// 10:00:00.190  #1 sleep  until 2026-12-01 10:00:01
/// 10:00:01.200  end completed
/// ```
struct RunEventFormatter: Sendable {
    /// How many characters of a payload or error a journal line shows.
    var payloadLimit = 100
    private var lastStatus: String?

    /// Creates a formatter for a stream that has not started.
    init(payloadLimit: Int = 100) { self.payloadLimit = payloadLimit }

    /// The lines for `event`: none for a repeated status or an event type it does not know.
    /// - Throws: ``ClientError`` when the event's data is not what the API documents.
    mutating func lines(for event: ServerSentEvent) throws -> [String] {
        switch event.event {
        case "run":
            let run = try decode(RunSummary.self, event)
            defer { lastStatus = run.status }
            if lastStatus == nil {
                return ["\(DisplayFormat.timeOfDay(run.updatedAt ?? run.createdAt))  run \(run.id) \(run.task): \(describe(run))"]
            }
            guard run.status != lastStatus else { return [] }
            return ["\(DisplayFormat.timeOfDay(run.updatedAt))  status \(describe(run))"]
        case "journal":
            let entry = try decode(JournalEntry.self, event)
            return ["\(DisplayFormat.timeOfDay(entry.recordedAt))  \(Self.describe(entry, limit: payloadLimit))"]
        case "end":
            let run = try decode(RunSummary.self, event)
            lastStatus = run.status
            return ["\(DisplayFormat.timeOfDay(run.finishedAt ?? run.updatedAt))  end \(describe(run))"]
        default:
            return []
        }
    }

    /// A journal entry on one line: `#3 step.completed charge attempt 2  {"id":"ch_1"}`; the name is left
    /// out when it repeats the kind (`#4 sleep`).
    static func describe(_ entry: JournalEntry, limit: Int) -> String {
        var line = "#\(entry.sequence) \(entry.kind)"
        if let name = entry.name, !name.isEmpty, name != entry.kind { line += " \(name)" }
        if let attempt = entry.attempt, attempt > 1 { line += " attempt \(attempt)" }
        if let error = entry.error {
            line += "  error: \(DisplayFormat.truncated(error.description, to: limit))"
        } else if let payload = entry.payload {
            line += "  \(DisplayFormat.truncated(DisplayFormat.json(payload), to: limit))"
        }
        if let wakeAt = entry.wakeAt { line += "  until \(DisplayFormat.timestamp(wakeAt))" }
        return line
    }

    private func describe(_ run: RunSummary) -> String {
        var text = run.status
        if run.runStatus == .running, let attempt = run.attempt { text += " (attempt \(attempt))" }
        if let error = run.error { text += ": \(DisplayFormat.truncated(error.description, to: payloadLimit))" }
        return text
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ event: ServerSentEvent) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(event.data.utf8))
        } catch {
            throw ClientError("unexpected '\(event.event)' event from the server: \(APIResponse.describe(error))")
        }
    }
}
