import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
import KeelExamples
import KeelServer
import KeelSQLite
import KeelTesting
import Logging
import NIOCore
import Testing

/// A Keel server built as `keel serve` builds it, on a temporary SQLite file, answering real
/// HTTP over loopback, with helpers to log in to its dashboard and post its forms.
struct DashboardFixture {
    static let apiKey = "keel_dashboard_test_key"

    let client: any TestClientProtocol
    let engine: KeelEngine

    static func with(_ body: @Sendable (DashboardFixture) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-dashboard-\(UUID().uuidString)")
        let store = try SQLiteRunStore(path: directory.appendingPathComponent("keel.sqlite").path, configuration: .forTests)
        let metrics = KeelMetrics()
        var configuration = KeelEngine.Configuration(pollInterval: .milliseconds(50))
        configuration.metricsFactory = metrics.factory
        var logger = Logger(label: "keel-dashboard-tests")
        logger.logLevel = .warning
        let engine = try KeelEngine(configuration: configuration, store: store, tasks: ExampleTasks.all, logger: logger)
        let app = buildApplication(
            engine: engine,
            configuration: KeelServerConfiguration(host: "127.0.0.1", port: 0, apiKeys: APIKeySet(keys: [apiKey]), followPollInterval: .milliseconds(100)),
            metrics: metrics, logger: logger
        )
        try await app.test(.live) { client in
            try await body(DashboardFixture(client: client, engine: engine))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The routes of the router `keel serve` uses.
    static func routes() throws -> [(method: String, path: String)] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-dashboard-routes-\(UUID().uuidString)")
        let engine = try KeelEngine(store: try SQLiteRunStore(path: directory.appendingPathComponent("k.sqlite").path), tasks: ExampleTasks.all)
        let router = buildRouter(engine: engine, configuration: .init(apiKeys: APIKeySet(keys: ["k"])), metrics: KeelMetrics())
        return router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }
    }

    /// A signed-in browser: its session cookie and the CSRF token of its pages.
    struct Session: Sendable {
        var cookie: String
        var csrf: String
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// A form body: `a=1&b=two%20words`.
    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
    }

    /// The value of the cookie `name` set by `response`, if any.
    static func cookie(_ name: String, in response: TestResponse) -> String? {
        for field in response.headers where field.name == .setCookie {
            let value = field.value
            if value.hasPrefix(name + "=") {
                return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
            }
        }
        return nil
    }

    /// Logs in through the login form with `key`; returns the answer and the session, if granted.
    func logIn(key: String = apiKey) async throws -> (response: TestResponse, session: Session?) {
        let page = try await request(.get, "/login")
        let loginCookie = Self.cookie("keel_login", in: page) ?? ""
        let csrf = try Self.capture(#"name="_csrf" value="([0-9a-f]+)""#, in: String(buffer: page.body))
        let response = try await request(
            .post, "/login", headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "keel_login=\(loginCookie)"],
            body: Self.form([("_csrf", csrf), ("key", key), ("next", "/")])
        )
        guard let token = Self.cookie("keel_session", in: response), !token.isEmpty else { return (response, nil) }
        let home = try await request(.get, "/", headers: [.cookie: "keel_session=\(token)"])
        let pageCSRF = try Self.capture(#"<meta name="csrf-token" content="([0-9a-f]+)">"#, in: String(buffer: home.body))
        return (response, Session(cookie: "keel_session=\(token)", csrf: pageCSRF))
    }

    /// Logs in and returns the session, failing the test if it is refused.
    func session() async throws -> Session {
        guard let session = try await logIn().session else { throw DashboardTestError("the login was refused") }
        return session
    }

    /// GETs a page with the session.
    func get(_ uri: String, _ session: Session) async throws -> (status: HTTPResponse.Status, html: String, response: TestResponse) {
        let response = try await request(.get, uri, headers: [.cookie: session.cookie])
        return (response.status, String(buffer: response.body), response)
    }

    /// POSTs a form with the session and, unless `csrf` is false, its CSRF token.
    func post(_ uri: String, _ session: Session, _ fields: [(String, String)] = [], csrf: Bool = true, headers extra: HTTPFields = [:]) async throws
        -> (status: HTTPResponse.Status, html: String, response: TestResponse)
    {
        var headers: HTTPFields = [.cookie: session.cookie, .contentType: "application/x-www-form-urlencoded"]
        headers.append(contentsOf: extra)
        let response = try await request(.post, uri, headers: headers, body: Self.form((csrf ? [("_csrf", session.csrf)] : []) + fields))
        return (response.status, String(buffer: response.body), response)
    }

    /// Triggers a run through the engine.
    func trigger(_ task: String, _ input: String, tags: [String] = [], idempotencyKey: String? = nil) async throws -> RunID {
        var options = TriggerOptions()
        options.tags = tags
        options.idempotencyKey = idempotencyKey
        return try await engine.trigger(taskName: task, input: Data(input.utf8), options: options)
    }

    /// Waits until the run reaches `status`.
    @discardableResult
    func waitFor(_ id: RunID, _ status: RunStatus, timeout: Duration = .seconds(20)) async throws -> RunRecord {
        let deadline = ContinuousClock.now + timeout
        while true {
            let run = try await engine.run(id)
            if run.status == status { return run }
            if ContinuousClock.now > deadline { throw DashboardTestError("run \(id) is \(run.status), not \(status)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The first capture group of `pattern` in `text`.
    static func capture(_ pattern: String, in text: String) throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let range = Range(match.range(at: 1), in: text) else {
            throw DashboardTestError("no match for \(pattern)")
        }
        return String(text[range])
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}

struct DashboardTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
