import Keel

/// One entry of a run's journal, as the API reports it (`JournalEntry` in the HTTP API).
struct JournalEntry: Decodable, Sendable {
    /// Its sequence number in the journal (the server counts from 0).
    var sequence: Int
    /// The position in the task's code it records, when it has one.
    var position: Int?
    /// `step.completed`, `sleep`, `token.created`, …
    var kind: String
    /// The step's, sleep's or wait's name.
    var name: String?
    /// The attempt that wrote it.
    var attempt: Int?
    /// The recorded value.
    var payload: JSONValue?
    /// The recorded error.
    var error: ReportedError?
    /// When the step started.
    var startedAt: String?
    /// When a sleep or wait ends.
    var wakeAt: String?
    /// When it was written.
    var recordedAt: String?
}
