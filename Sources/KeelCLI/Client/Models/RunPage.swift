/// `GET /api/v1/runs`: a page of runs, newest first.
struct RunPage: Decodable, Sendable {
    /// The runs.
    var runs: [RunSummary]
    /// The cursor of the next page, when there is one.
    var nextCursor: String?
}
