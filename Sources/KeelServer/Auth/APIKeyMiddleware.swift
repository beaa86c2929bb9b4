import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <key>` with an accepted key on every route but the public
/// ones (`/healthz`) and the exempt ones (the dashboard's, which has its own login); answers
/// 401 with a JSON error otherwise, before any route runs, so unknown paths reveal nothing either.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeySet
    let publicPaths: Set<String>
    var isExempt: @Sendable (String) -> Bool = { _ in false }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if publicPaths.contains(request.uri.path) || isExempt(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, code: "unauthorized", "missing API key: send the header 'Authorization: Bearer <key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, code: "unauthorized", "the Authorization header must be 'Bearer <key>'")
        }
        guard keys.accepts(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError(.unauthorized, code: "unauthorized", "wrong API key")
        }
        return try await next(request, context)
    }
}
