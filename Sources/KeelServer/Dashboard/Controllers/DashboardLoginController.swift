import Foundation
import Hummingbird

/// `/login` and `/logout`: trading an API key for a session cookie.
struct DashboardLoginController {
    let dashboard: Dashboard

    func addRoutes(to router: Router<KeelRequestContext>) {
        router.get("/login", use: show)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
    }

    /// The login form; its CSRF value is also set as a short-lived cookie (double submit).
    @Sendable func show(request: Request, context: KeelRequestContext) async throws -> Response {
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        if let token = request.cookies[DashboardSessions.cookieName]?.value, dashboard.sessions.verify(token) != nil {
            return DashboardResponse.redirect(to: next)
        }
        return Self.form(dashboard, next: next, error: nil, status: .ok, reusing: request.cookies[DashboardSessions.loginCookieName]?.value)
    }

    @Sendable func login(request: Request, context: KeelRequestContext) async throws -> Response {
        let form: DashboardForm
        do {
            form = try await DashboardForm.read(request, limit: 64 * 1024)
        } catch {
            return Self.form(dashboard, next: "/", error: "The login form was too large.", status: .contentTooLarge)
        }
        let next = Self.safeNext(form["next"])
        guard let expected = request.cookies[DashboardSessions.loginCookieName]?.value, let sent = form["_csrf"],
            DashboardSessions.constantTimeEquals(expected, sent)
        else {
            return Self.form(dashboard, next: next, error: "The login form expired. Enter the key again.", status: .forbidden)
        }
        let key = (form["key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty, let session = dashboard.sessions.create(forKey: key) else {
            return Self.form(dashboard, next: next, error: "That is not an API key of this server.", status: .unauthorized)
        }
        let maxAge = Int(session.expiresAt.timeIntervalSinceNow.rounded(.down))
        return DashboardResponse.redirect(
            to: next,
            cookies: [
                DashboardResponse.cookie(DashboardSessions.cookieName, session.token, maxAge: maxAge),
                DashboardResponse.cookie(DashboardSessions.loginCookieName, "", maxAge: 0),
            ]
        )
    }

    /// Ends the session (a POST with the CSRF token: a link elsewhere cannot log you out).
    @Sendable func logout(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            try await DashboardForm.read(request, limit: 64 * 1024).requireCSRF(request, context: context)
            return DashboardResponse.redirect(to: "/login", cookies: [DashboardResponse.cookie(DashboardSessions.cookieName, "", maxAge: 0)])
        }
    }

    /// The login page. Its CSRF value is kept when the browser already has one, so a second
    /// login page loaded meanwhile (another tab, a redirected favicon request) does not void the first.
    static func form(_ dashboard: Dashboard, next: String, error: String?, status: HTTPResponse.Status, reusing existing: String? = nil) -> Response {
        let csrf = existing.flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil } ?? DashboardSessions.randomHex(bytes: 16)
        return DashboardResponse.page(
            dashboard.renderer.login(csrfToken: csrf, next: next, error: error), status: status,
            cookies: [DashboardResponse.cookie(DashboardSessions.loginCookieName, csrf, maxAge: 600)]
        )
    }

    /// `next` if it is a path on this server, `/` otherwise (no open redirect).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), !next.contains("\r"), !next.contains("\n") else { return "/" }
        return next
    }
}
