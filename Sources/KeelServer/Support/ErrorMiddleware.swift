import Hummingbird
import Keel
import Logging

/// Turns every error a route throws into a JSON error response with the right status: Keel's
/// errors by their code, Hummingbird's by their status, anything else as a logged 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as KeelError {
            throw APIError(error)
        } catch let error as HTTPError {
            throw APIError(error.status, code: Self.code(for: error.status), error.body ?? Self.message(for: error.status, request: request))
        } catch {
            context.logger.error("request failed", metadata: ["error.message": .string("\(error)"), "error.type": .string("\(type(of: error))")])
            throw APIError(.internalServerError, code: "internalError", "the server failed to answer: \(error)")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "notFound"
        case .methodNotAllowed: "methodNotAllowed"
        case .contentTooLarge: "payloadTooLarge"
        case .unauthorized: "unauthorized"
        case .badRequest: "invalidRequest"
        default: "httpError"
        }
    }

    static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: "no route \(request.method) \(request.uri.path)"
        case .contentTooLarge: "the request body is larger than the server accepts"
        default: status.reasonPhrase
        }
    }
}
