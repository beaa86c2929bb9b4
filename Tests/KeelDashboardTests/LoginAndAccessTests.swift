import Foundation
import HTTPTypes
import HummingbirdTesting
import Keel
import NIOCore
import Testing

@Suite("Dashboard login and access", .timeLimit(.minutes(2)))
struct LoginAndAccessTests {
    /// Every dashboard route: everything the router has outside the API, but the login page and the assets.
    static func pageRoutes() throws -> [(method: String, path: String)] {
        try DashboardFixture.routes().filter { route in
            !route.path.hasPrefix("/api/") && route.path != "/metrics" && route.path != "/healthz" && route.path != "/login" && !route.path.hasPrefix("/assets/")
        }
    }

    static func uri(for path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "01a00000-0000-7000-8000-000000000000", options: .regularExpression)
    }

    @Test func withoutASessionEveryPageShowsOnlyTheLoginPage() async throws {
        let routes = try Self.pageRoutes()
        #expect(routes.count >= 15, "\(routes)")
        try await DashboardFixture.with { server in
            _ = try await server.trigger("demo.steps", #"{"count": 1}"#, tags: ["secret-tag"])
            let forged = "keel_session=v1.9999999999.0000000000000000.00.00"
            for route in routes {
                for cookie in [nil, forged, "keel_session=garbage"] {
                    var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                    if let cookie { headers[.cookie] = cookie }
                    let response = try await server.request(HTTPRequest.Method(route.method)!, Self.uri(for: route.path), headers: headers, body: "_csrf=x")
                    let body = String(buffer: response.body)
                    if route.method == "GET" {
                        #expect(response.status == .seeOther, "\(route.method) \(route.path) answered \(response.status)")
                        #expect(response.headers[.location]?.hasPrefix("/login") == true, "\(route.path) redirects to \(response.headers[.location] ?? "nothing")")
                    } else {
                        #expect(response.status == .unauthorized, "\(route.method) \(route.path) answered \(response.status)")
                        #expect(body.contains(#"id="login-form""#))
                    }
                    #expect(!body.contains("demo.steps") && !body.contains("secret-tag") && !body.contains("runs-table"), "\(route.path) shows data")
                }
            }
            // Unknown paths too, and the login page itself is all there is.
            let unknown = try await server.request(.get, "/nothing/here")
            #expect(unknown.status == .seeOther && unknown.headers[.location] == "/login?next=/nothing/here")
            let login = try await server.request(.get, "/login")
            #expect(login.status == .ok)
            #expect(String(buffer: login.body).contains(#"type="password""#))
            #expect(!String(buffer: login.body).contains("demo.steps"))
        }
    }

    @Test func aValidKeyGetsAnHttpOnlyStrictSessionAndAWrongOneDoesNot() async throws {
        try await DashboardFixture.with { server in
            let refused = try await server.logIn(key: "wrong")
            #expect(refused.session == nil)
            #expect(refused.response.status == .unauthorized)
            #expect(String(buffer: refused.response.body).contains("not an API key of this server"))

            let granted = try await server.logIn()
            #expect(granted.response.status == .seeOther)
            let header = granted.response.headers[values: .setCookie].first { $0.hasPrefix("keel_session=") } ?? ""
            #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/"), "\(header)")
            let session = try #require(granted.session)
            let home = try await server.get("/", session)
            #expect(home.status == .ok && home.html.contains("<h1>Runs</h1>"))
            #expect(home.response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)

            // The login form's CSRF value must match its cookie.
            let noCookie = try await server.request(
                .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded"],
                body: DashboardFixture.form([("_csrf", "0123"), ("key", DashboardFixture.apiKey)])
            )
            #expect(noCookie.status == .forbidden)
            #expect(DashboardFixture.cookie("keel_session", in: noCookie) == nil)

            // Logging out needs the CSRF token and ends the session cookie.
            #expect(try await server.post("/logout", session, csrf: false).status == .forbidden)
            let out = try await server.post("/logout", session)
            #expect(out.status == .seeOther && out.response.headers[.location] == "/login")
            #expect(DashboardFixture.cookie("keel_session", in: out.response) == "")
        }
    }

    @Test func actionsNeedTheSessionsCSRFTokenAndThisOrigin() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.approval", #"{"subject": "csrf"}"#)
            try await server.waitFor(id, .waiting)

            let missing = try await server.post("/runs/\(id)/cancel", session, csrf: false)
            #expect(missing.status == .forbidden && missing.html.contains("CSRF"))
            let wrong = try await server.post("/runs/\(id)/cancel", session, [("_csrf", String(repeating: "0", count: 64))], csrf: false)
            #expect(wrong.status == .forbidden)
            let elsewhere = try await server.post("/runs/\(id)/cancel", session, headers: [.origin: "http://evil.example"])
            #expect(elsewhere.status == .forbidden)
            #expect(try await server.engine.run(id).status == .waiting)

            // Another session's token is not this one's.
            let other = try await server.session()
            #expect(other.csrf != session.csrf)
            #expect(try await server.post("/runs/\(id)/cancel", session, [("_csrf", other.csrf)], csrf: false).status == .forbidden)

            let done = try await server.post("/runs/\(id)/cancel", session)
            #expect(done.status == .seeOther && done.response.headers[.location] == "/runs/\(id)")
            #expect(try await server.engine.run(id).status == .cancelled)
        }
    }

    @Test func theAPIKeepsBearerKeysAndIgnoresTheSessionCookie() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let withCookie = try await server.request(.get, "/api/v1/runs", headers: [.cookie: session.cookie])
            #expect(withCookie.status == .unauthorized)
            let withKey = try await server.request(.get, "/api/v1/runs", headers: [.authorization: "Bearer \(DashboardFixture.apiKey)"])
            #expect(withKey.status == .ok)
            #expect(try await server.request(.get, "/healthz").status == .ok)
        }
    }
}
