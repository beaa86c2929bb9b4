public import Hummingbird
import Keel
import NIOCore

/// An error the API answers with: an HTTP status and `{"error": {"code": …, "message": …}}`.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`unknownTask`, `malformedJSON`, …).
    public var code: String
    /// What was wrong, for a person.
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encode(["error": ["code": code, "message": message]])
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

extension APIError {
    /// The API's answer to a ``KeelError``: the status that fits its code, and its message.
    init(_ error: KeelError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .unknownTask, .runNotFound, .tokenNotFound, .scheduleNotFound: .notFound
            case .invalidInput, .encodingFailed: .unprocessableContent
            case .payloadTooLarge: .contentTooLarge
            case .invalidState, .leaseLost: .conflict
            case .storeFailure: .serviceUnavailable
            default: .internalServerError
            }
        self.init(status, code: error.code.description, error.message)
    }

    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, code: "invalidRequest", message)
    }
}
