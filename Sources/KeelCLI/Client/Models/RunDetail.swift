import Keel

/// A run with its input, output and journal, as `GET /api/v1/runs/{id}` answers (`Run` in the
/// HTTP API).
struct RunDetail: Decodable, Sendable {
    /// The fields every run has.
    var summary: RunSummary
    /// The run's input.
    var input: JSONValue?
    /// Its output, once completed.
    var output: JSONValue?
    /// Its journal, in sequence order.
    var journal: [JournalEntry]

    private enum CodingKeys: String, CodingKey { case input, output, journal }

    /// Decodes the summary's fields and the run's input, output and journal from one object.
    init(from decoder: any Decoder) throws {
        summary = try RunSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decodeIfPresent(JSONValue.self, forKey: .input)
        output = try container.decodeIfPresent(JSONValue.self, forKey: .output)
        journal = try container.decodeIfPresent([JournalEntry].self, forKey: .journal) ?? []
    }
}
