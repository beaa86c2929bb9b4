import Foundation
import Keel
public import Hummingbird
import NIOCore

/// Encodes API responses: sorted keys, dates as ISO 8601 with milliseconds (`2026-12-01T10:00:00.123Z`).
public struct APIJSONEncoder: ResponseEncoder {
    /// Creates the encoder.
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encode(value)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// The JSON conventions of the API, in one place.
enum APIJSON {
    static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(dateStyle))
        }
        return try encoder.encode(value)
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
            }
            return date
        }
        return decoder
    }

    /// Parses an ISO 8601 date with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        (try? dateStyle.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// Decodes a JSON value Keel stored (an input, an output, a step result) for embedding.
    static func embed(_ data: Data?) -> JSONValue? {
        guard let data else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }
}
