/// A waitpoint token, as `POST /api/v1/tokens/{token}/complete` answers (`Token` in the HTTP API).
struct TokenInfo: Decodable, Sendable {
    /// The token's id.
    var id: String
    /// The run waiting for it.
    var runId: String?
    /// Its status.
    var status: String?
    /// When the wait times out, if it does.
    var timeoutAt: String?
}
