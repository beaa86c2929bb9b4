import Foundation
import Hummingbird

/// Guards every dashboard path (everything outside `/api/`, `/metrics` and `/healthz`): without
/// a valid session cookie a GET is redirected to the login page and anything else is answered
/// with the login page and 401, so no page, action or unknown path shows anything else. POSTs
/// with a session must carry the session's CSRF token (form field `_csrf` or header
/// `X-CSRF-Token`) and, when the browser sends one, an `Origin` of this server.
struct DashboardAccessMiddleware: RouterMiddleware {
    typealias Context = KeelRequestContext
    let sessions: DashboardSessions
    let renderer: DashboardRenderer

    /// Paths the dashboard shows without a session: the login page and the static assets.
    static func isPublic(_ path: String) -> Bool {
        path == "/login" || path.hasPrefix("/assets/")
    }

    /// Whether `path` belongs to the dashboard rather than the API.
    static func isDashboardPath(_ path: String) -> Bool {
        !(path.hasPrefix("/api/") || path == "/api" || path == "/metrics" || path == "/healthz")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard Self.isDashboardPath(path) else { return try await next(request, context) }
        if Self.isPublic(path) { return try await withNotFoundPage(request, context, next) }
        guard let token = request.cookies[DashboardSessions.cookieName]?.value, let session = sessions.verify(token) else {
            if request.method == .get || request.method == .head {
                return DashboardResponse.redirect(to: "/login" + Self.nextQuery(for: request))
            }
            return DashboardResponse.loginRequired(renderer: renderer, sessions: sessions, request: request)
        }
        if request.method != .get && request.method != .head {
            if let origin = request.headers[.origin], !Self.origin(origin, matches: request) {
                return DashboardResponse.page(renderer.error(status: .forbidden, "This request came from another site (\(origin)); it was refused."), status: .forbidden)
            }
            // The token is checked by the action once it has read its form (DashboardForm.requireCSRF).
        }
        var context = context
        context.dashboardSession = DashboardSessionContext(session: session, csrfToken: sessions.csrfToken(for: session), sessions: sessions)
        return try await withNotFoundPage(request, context, next)
    }

    private func withNotFoundPage(_ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            let message = error.status == .notFound ? "There is no page at \(request.uri.path)." : "\(request.method) is not allowed on \(request.uri.path)."
            return DashboardResponse.page(renderer.error(status: error.status, message, csrfToken: context.dashboardSession?.csrfToken), status: error.status)
        }
    }

    /// `?next=/the/path?query` for a page the login should return to.
    static func nextQuery(for request: Request) -> String {
        guard request.uri.path != "/" else { return "" }
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return "?next=" + (target.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")
    }

    static func origin(_ origin: String, matches request: Request) -> Bool {
        guard let host = URLComponents(string: origin)?.host, let authority = request.head.authority else { return false }
        let requestHost = authority.split(separator: ":").first.map(String.init) ?? authority
        let originPort = URLComponents(string: origin)?.port
        let requestPort = authority.split(separator: ":").dropFirst().first.map(String.init).flatMap(Int.init)
        return host == requestHost && (originPort == requestPort || requestPort == nil || originPort == nil)
    }
}

/// The session of a dashboard request, once the access middleware checked it.
struct DashboardSessionContext: Sendable {
    var session: DashboardSessions.Session
    var csrfToken: String
    var sessions: DashboardSessions
}

extension CharacterSet {
    /// Characters left as they are in a query value.
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()
}
