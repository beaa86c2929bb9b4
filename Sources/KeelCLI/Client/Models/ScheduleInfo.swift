import Keel

/// A cron schedule, as the API reports it (`Schedule` in the HTTP API).
struct ScheduleInfo: Decodable, Sendable {
    /// The schedule's id.
    var id: String
    /// The task it triggers.
    var task: String
    /// Its cron expression.
    var cron: String
    /// The time zone the expression is read in.
    var timeZone: String?
    /// The input of every run it triggers.
    var input: JSONValue?
    /// Whether a task declares it in code (rather than created at runtime).
    var declared: Bool?
    /// Its next tick.
    var nextRunAt: String?
    /// Its last tick.
    var lastRunAt: String?
    /// The run of its last tick.
    var lastRunId: String?
}
