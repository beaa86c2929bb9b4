import Keel

/// A run as `GET /api/v1/runs` lists it (`RunSummary` in the HTTP API).
///
/// Only `id`, `task` and `status` are required, so a newer server's additions or omissions do
/// not stop the command line from showing what it can.
struct RunSummary: Decodable, Sendable {
    /// The run's id.
    var id: String
    /// The task's name.
    var task: String
    /// The task's version the run was created with.
    var version: JSONValue?
    /// The queue it runs on.
    var queue: String?
    /// `queued`, `running`, `waiting`, `completed`, `failed`, `cancelled`, `expired` or `parked`.
    var status: String
    /// The run's attempt, from 1.
    var attempt: Int?
    /// When it was created (ISO 8601).
    var createdAt: String?
    /// When it first started, if it did.
    var startedAt: String?
    /// When it finished, if it did.
    var finishedAt: String?
    /// When it last changed.
    var updatedAt: String?
    /// Its tags.
    var tags: [String]?
    /// The run that triggered it, for a child run.
    var parentId: String?
    /// Its idempotency key, if it was triggered with one.
    var idempotencyKey: String?
    /// Its concurrency key, if any.
    var concurrencyKey: String?
    /// Why it failed, if it did.
    var error: ReportedError?

    /// The status as a ``RunStatus``.
    var runStatus: RunStatus { RunStatus(rawValue: status) }
}
