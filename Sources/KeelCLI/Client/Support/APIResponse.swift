import Foundation

/// A successful answer of the Keel API: its status and its whole body.
struct APIResponse: Sendable {
    /// The HTTP status code (2xx).
    var status: Int
    /// The body's bytes.
    var body: [UInt8]

    /// The body as text, which `--json` prints as it came.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// Decodes the body as `type`.
    /// - Throws: ``ClientError`` when the body is not the JSON the API documents.
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw ClientError("unexpected answer from the server (\(Value.self)): \(Self.describe(error))")
        }
    }

    /// A short description of a decoding error: what was expected where.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "the body" : String(path.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): missing '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
