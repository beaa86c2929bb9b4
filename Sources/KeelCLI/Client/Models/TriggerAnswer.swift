/// `POST /api/v1/tasks/{task}/trigger`: the new (or idempotently matched) run's id.
struct TriggerAnswer: Decodable, Sendable {
    /// The run's id.
    var id: String
}
