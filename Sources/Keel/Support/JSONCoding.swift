import Foundation

/// The one JSON encoding Keel uses for inputs, outputs and step results.
///
/// Dates are ISO 8601 with milliseconds, so a recorded date replays to the same value.
enum JSONCoding {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(ISO8601WithMilliseconds.style))
        }
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            if let date = try? ISO8601WithMilliseconds.style.parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
        }
        return decoder
    }

    /// One encoder and one decoder for every call: they are immutable once configured, and
    /// making them costs more than a small payload's coding.
    static let sharedEncoder = encoder()
    static let sharedDecoder = decoder()

    /// Encodes `value`; `what` names it in the error ("the result of step 'charge'").
    ///
    /// With ``RecordedJSONEncoder`` (every step's result is encoded, and `JSONEncoder` was most
    /// of a step's CPU after the store's), or with `JSONEncoder` where that one gives up: the
    /// text, and the error if any, are `JSONEncoder`'s.
    static func encode<Value: Encodable>(_ value: Value, what: @autoclosure () -> String) throws -> Data {
        if let data = try? RecordedJSONEncoder.encode(value) { return data }
        do {
            return try sharedEncoder.encode(value)
        } catch {
            throw KeelError(.encodingFailed, "\(what()) cannot be encoded as JSON: \(describe(error))", underlying: error)
        }
    }

    /// Decodes a value that Keel itself encoded (a recorded result): with
    /// ``RecordedJSONDecoder`` (a replay decodes thousands of them), or with `JSONDecoder` where
    /// that one gives up — so the value, and any error, are `JSONDecoder`'s.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data, what: @autoclosure () -> String) throws -> Value {
        do {
            return try decodeRecorded(type, from: data)
        } catch {
            throw KeelError(.invalidInput, "\(what()) does not decode as \(Value.self): \(describe(error))", underlying: error)
        }
    }

    /// Decodes a recorded value with ``RecordedJSONDecoder``, or with `JSONDecoder` where that one
    /// gives up: the value, and the error if any, are `JSONDecoder`'s.
    static func decodeRecorded<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        if let value = try? RecordedJSONDecoder.decode(type, from: data) { return value }
        return try sharedDecoder.decode(type, from: data)
    }

    /// Throws ``KeelError/Code/invalidInput`` unless `data` is one JSON value.
    static func validateJSON(_ data: Data, what: @autoclosure () -> String) throws {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let detail = JSONSyntaxCheck.firstError(in: Array(data)) ?? error.localizedDescription
            throw KeelError(.invalidInput, "\(what()) is not valid JSON: \(detail)", underlying: error)
        }
    }

    /// Decodes a task input, with an error naming the task and the field.
    ///
    /// Every run decodes its input when it starts, so this takes the fast path of
    /// ``decodeRecorded(_:from:)`` too: an input it does not decode exactly as `JSONDecoder` would
    /// (anything unusual, and every error) is decoded by `JSONDecoder`.
    static func decodeInput<Value: Decodable>(_ type: Value.Type, from data: Data, task: String) throws -> Value {
        do {
            return try decodeRecorded(type, from: data)
        } catch {
            throw KeelError(.invalidInput, "input for task '\(task)' does not decode: \(describe(error))", underlying: error)
        }
    }

    /// A one-line account of a coding error, with the path to the offending field.
    static func describe(_ error: any Error) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level" : "'" + codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(let type, let context):
            return "expected \(type) at \(path(context.codingPath))"
        case DecodingError.valueNotFound(let type, let context):
            return "expected \(type) at \(path(context.codingPath)), found null"
        case DecodingError.dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
        case EncodingError.invalidValue(let value, let context):
            return "invalid value \(value) at \(path(context.codingPath)): \(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}

/// ISO 8601 with milliseconds, UTC: `2026-11-25T10:00:00.123Z`.
enum ISO8601WithMilliseconds {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
