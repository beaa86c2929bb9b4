import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The responses of the dashboard: HTML pages with strict security headers, redirects, cookies.
enum DashboardResponse {
    /// Headers on every dashboard response: no framing, no inline script or style, no caching.
    static func securityHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType,
            .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            .xContentTypeOptions: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "same-origin",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }

    /// An HTML page.
    static func page(_ html: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = securityHeaders(contentType: "text/html; charset=utf-8")
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to `location` (a path on this server).
    static func redirect(to location: String, cookies: [String] = []) -> Response {
        var headers = securityHeaders(contentType: "text/plain; charset=utf-8")
        headers[.location] = location
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "See \(location)")))
    }

    /// JSON, for the few calls the dashboard's script makes.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(
            status: status, headers: securityHeaders(contentType: "application/json; charset=utf-8"),
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try APIJSON.encode(value)))
        )
    }

    /// The login page with 401, for a request that needs a session and has none.
    static func loginRequired(renderer: DashboardRenderer, sessions: DashboardSessions, request: Request) -> Response {
        let existing = request.cookies[DashboardSessions.loginCookieName]?.value
        let login = existing.flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil } ?? DashboardSessions.randomHex(bytes: 16)
        return page(
            renderer.login(csrfToken: login, next: "/", error: "Log in first: this dashboard needs an API key."),
            status: .unauthorized, cookies: [cookie(DashboardSessions.loginCookieName, login, maxAge: 600)]
        )
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, for the whole site.
    static func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
    }
}
