import Keel

/// The body of `POST /api/v1/tokens/{token}/complete` and `POST /api/v1/events/{name}`.
struct PayloadRequest: Encodable, Sendable {
    /// What the waiting runs receive.
    var payload: JSONValue
}
