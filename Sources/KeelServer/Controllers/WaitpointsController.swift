import Foundation
import Hummingbird
import Keel

/// `/api/v1/tokens` and `/api/v1/events`: completing what waiting runs wait for.
struct WaitpointsController {
    let engine: KeelEngine
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<KeelRequestContext>) {
        group.post("tokens/{token}/complete", use: completeToken)
        group.post("events/{name}", use: sendEvent)
    }

    /// The callback URL of a waitpoint token (``WaitToken/callbackPath``).
    @Sendable func completeToken(request: Request, context: KeelRequestContext) async throws -> TokenResponse {
        let token = try context.pathParameter("token")
        let body = try await request.decodeJSON(as: PayloadRequest.self, limit: bodyLimit)
        let waitpoint = try await engine.completeToken(token, payload: try APIJSON.encode(body.payload ?? .object([:])))
        return TokenResponse(waitpoint)
    }

    @Sendable func sendEvent(request: Request, context: KeelRequestContext) async throws -> EventResponse {
        let name = try context.pathParameter("name")
        let body = try await request.decodeJSON(as: PayloadRequest.self, limit: bodyLimit)
        let runs = try await engine.sendEvent(name, payload: try APIJSON.encode(body.payload ?? .object([:])))
        return EventResponse(runs: runs.map(\.rawValue))
    }
}
