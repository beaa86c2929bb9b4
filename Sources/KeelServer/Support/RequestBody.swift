import Foundation
import Hummingbird
import Keel
import NIOCore

extension Request {
    /// Reads the body (at most `limit` bytes) and decodes it as `Body`, with errors that name
    /// what was wrong: 413 over the limit, 400 for malformed JSON (with line and column), 422 for
    /// JSON of the wrong shape (with the field).
    func decodeJSON<Body: Decodable>(as type: Body.Type, limit: Int) async throws -> Body {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
        let data = Data(buffer.readableBytesView)
        if data.isEmpty { throw APIError(.badRequest, code: "malformedJSON", "the request body is empty; expected a JSON object") }
        do {
            return try APIJSON.decoder().decode(Body.self, from: data)
        } catch let error as DecodingError {
            throw APIError(decoding: error, data: data)
        }
    }
}

extension APIError {
    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "payloadTooLarge", "the request body is over the limit of \(limit) bytes")
    }

    /// The answer to a body that did not decode.
    init(decoding error: DecodingError, data: Data) {
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
            self.init(.badRequest, code: "malformedJSON", "the request body is not valid JSON: \(JSONSyntaxCheck.firstError(in: Array(data)) ?? "not valid JSON")")
            return
        }
        self.init(.unprocessableContent, code: "invalidInput", "the request body does not have the expected shape: \(Self.describe(error))")
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "the top level" : "'" + codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(let type, let context): return "expected \(type) at \(path(context.codingPath))"
        case .valueNotFound(let type, let context): return "expected \(type) at \(path(context.codingPath)), found null"
        case .dataCorrupted(let context): return "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
