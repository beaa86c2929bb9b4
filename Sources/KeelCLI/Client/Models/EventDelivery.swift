/// `POST /api/v1/events/{name}`: the runs that were waiting for the event.
struct EventDelivery: Decodable, Sendable {
    /// Their ids.
    var runs: [String]
}
