import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
import KeelExamples
import KeelServer
import KeelSQLite
import Testing

@Suite("Auth and the OpenAPI document", .timeLimit(.minutes(2)))
struct AuthAndDocumentTests {
    /// Whether a route is the API's (the dashboard's pages have their own login and are not in the document).
    static func isAPIRoute(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/metrics" || path == "/healthz"
    }

    /// The router `keel serve` uses, for its list of API routes (the dashboard's are tested in KeelDashboardTests).
    static func routes() throws -> [(method: String, path: String)] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-routes-\(UUID().uuidString)")
        let engine = try KeelEngine(store: try SQLiteRunStore(path: directory.appendingPathComponent("k.sqlite").path), tasks: ExampleTasks.all)
        let router = buildRouter(engine: engine, configuration: .init(apiKeys: APIKeySet(keys: ["k"])), metrics: KeelMetrics())
        return router.routes.map { (method: $0.method.rawValue.lowercased(), path: $0.path.description) }.filter { isAPIRoute($0.path) }
    }

    /// A concrete URI for a route path: parameters filled in.
    static func uri(for path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
    }

    @Test func noRouteButHealthzAnswersWithoutAValidKey() async throws {
        let routes = try Self.routes()
        #expect(routes.count >= 15)
        try await ServerFixture.with { server in
            for route in routes {
                let method = HTTPRequest.Method(route.method.uppercased())!
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong-key"], [.authorization: "Basic \(ServerFixture.apiKey)"]] {
                    let response = try await server.request(method, Self.uri(for: route.path), json: "{}", headers: headers)
                    if route.path == "/healthz" {
                        #expect(response.status == .ok)
                    } else {
                        #expect(response.status == .unauthorized, "\(route.method) \(route.path) with \(headers) answered \(response.status)")
                        let body = try JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: response.body).utf8))
                        #expect(apiError(body).code == "unauthorized")
                    }
                }
            }
            // An unknown path reveals nothing without a key either.
            #expect(try await server.request(.get, "/api/v1/nothing-here", headers: [:]).status == .unauthorized)
            #expect(try await server.request(.get, "/api/v1/nothing-here").status == .notFound)
        }
    }

    @Test func theOpenAPIDocumentListsExactlyTheRouterRoutes() async throws {
        let routes = try Self.routes()
        try await ServerFixture.with { server in
            let document = try await server.json(.get, "/api/v1/openapi.json")
            #expect(document["openapi"] == .string("3.1.0"))
            guard case .object(let paths) = document["paths"] else { throw FixtureError("no paths in the document") }
            var documented = Set<String>()
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    documented.insert("\(method) \(path)")
                }
            }
            let routed = Set(routes.map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented paths with no route: \(documented.subtracting(routed).sorted())")
        }
    }

    @Test func keysAreKeptAsDigestsAndCompared() throws {
        let key = APIKeySet.generateKey()
        #expect(key.hasPrefix("keel_") && key.count == 5 + 64)
        let keys = try APIKeySet(digests: [APIKeySet.digest(of: key)])
        #expect(keys.accepts(key))
        #expect(!keys.accepts(key + "x"))
        #expect(!keys.accepts(""))
        #expect(APIKeySet.digest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: APIKeySetError.self) { try APIKeySet(digests: ["not-hex"]) }
    }
}
