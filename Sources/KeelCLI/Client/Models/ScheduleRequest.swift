import Keel

/// The body of `POST /api/v1/schedules`.
struct ScheduleRequest: Encodable, Sendable {
    /// The schedule's id.
    var id: String
    /// The task it triggers.
    var task: String
    /// Its cron expression.
    var cron: String
    /// The time zone to read the expression in; the server's default when `nil`.
    var timeZone: String?
    /// The input of every run it triggers.
    var input: JSONValue
}
