import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Keel
import KeelExamples
import KeelServer
import KeelSQLite
import KeelTesting
import Logging
import NIOCore
import Testing

/// A Keel server built the way `keel serve` builds it, on a temporary SQLite file, answering
/// real HTTP over loopback.
struct ServerFixture {
    static let apiKey = "keel_test_key"
    static let authorization: HTTPFields = [.authorization: "Bearer \(apiKey)", .contentType: "application/json"]

    let client: any TestClientProtocol
    let engine: KeelEngine

    /// Runs `body` against a live server with the example tasks and `tasks`.
    static func with(
        tasks: [any TaskDefinition] = [],
        maximumPayloadBytes: Int = 64 * 1024,
        maximumRequestBytes: Int = 256 * 1024,
        _ body: @Sendable (ServerFixture) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-server-\(UUID().uuidString)")
        let store = try SQLiteRunStore(path: directory.appendingPathComponent("keel.sqlite").path, configuration: .forTests)
        let metrics = KeelMetrics()
        var configuration = KeelEngine.Configuration(pollInterval: .milliseconds(50), maximumPayloadBytes: maximumPayloadBytes)
        configuration.metricsFactory = metrics.factory
        var logger = Logger(label: "keel-server-tests")
        logger.logLevel = .warning
        let engine = try KeelEngine(configuration: configuration, store: store, tasks: ExampleTasks.all + tasks, logger: logger)
        let app = buildApplication(
            engine: engine,
            configuration: KeelServerConfiguration(
                host: "127.0.0.1", port: 0, apiKeys: APIKeySet(keys: [apiKey]), maximumRequestBytes: maximumRequestBytes,
                followPollInterval: .milliseconds(100)
            ),
            metrics: metrics,
            logger: logger
        )
        try await app.test(.live) { client in
            try await body(ServerFixture(client: client, engine: engine))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends a request with the test key (or `headers`) and returns the response.
    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, headers: HTTPFields = authorization) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Sends a request and decodes the JSON answer, expecting `status`.
    func json(
        _ method: HTTPRequest.Method, _ uri: String, json body: String? = nil, expect status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let response = try await request(method, uri, json: body)
        let text = String(buffer: response.body)
        #expect(response.status == status, "\(method) \(uri): \(text)", sourceLocation: sourceLocation)
        return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Triggers `task` with `input` (JSON) and returns the run id.
    func trigger(_ task: String, input: String, options: String = "{}") async throws -> RunID {
        let answer = try await json(.post, "/api/v1/tasks/\(task)/trigger", json: #"{"input": \#(input), "options": \#(options)}"#)
        guard case .string(let id) = answer["id"] else { throw FixtureError("no id in \(answer)") }
        return RunID(id)
    }

    /// Waits until the run reaches `status` (or a terminal status), polling the API.
    func waitFor(_ id: RunID, status: String, timeout: Duration = .seconds(20)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let run = try await json(.get, "/api/v1/runs/\(id)")
            if run["status"] == .string(status) { return run }
            if ContinuousClock.now > deadline { throw FixtureError("run \(id) did not reach \(status): \(run["status"] ?? .null)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// The error code and message of an API error answer.
func apiError(_ value: JSONValue) -> (code: String, message: String) {
    guard case .string(let code) = value["error"]?["code"], case .string(let message) = value["error"]?["message"] else {
        return ("(none)", "\(value)")
    }
    return (code, message)
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
