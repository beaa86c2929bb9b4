/// The body of an API error: `{"error": {"code", "message"}}`.
struct APIErrorBody: Decodable, Sendable {
    /// The error.
    struct Detail: Decodable, Sendable {
        /// A stable code, such as `unknownTask`.
        var code: String?
        /// What was wrong.
        var message: String?
    }

    /// The error.
    var error: Detail
}
