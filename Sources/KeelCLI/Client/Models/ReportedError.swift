/// A run's or a journal entry's error as the API reports it: `{"type", "message"}`, or a plain
/// string from a server that sends one.
struct ReportedError: Decodable, Sendable, Equatable, CustomStringConvertible {
    /// The error's type, such as `AbortRunError`.
    var type: String?
    /// What happened.
    var message: String

    /// Creates an error.
    init(type: String? = nil, message: String) {
        self.type = type
        self.message = message
    }

    private enum CodingKeys: String, CodingKey { case type, message }

    /// Decodes `{"type", "message"}` or a plain string.
    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(message: text)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            type: try container.decodeIfPresent(String.self, forKey: .type),
            message: try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        )
    }

    /// `Type: message`, or the message alone when there is no type.
    var description: String {
        guard let type, !type.isEmpty else { return message }
        return message.isEmpty ? type : "\(type): \(message)"
    }
}
