import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of a running Keel server's HTTP API (`/api/v1`), for the command line.
///
/// Every answer other than 2xx becomes a ``ClientError`` carrying the server's own message,
/// and a server that cannot be reached becomes "cannot connect to …".
///
/// ## Usage
///
/// ```swift
/// try await KeelAPIClient.with(options) { client in
///     let run = try await client.send(.get, "/api/v1/runs/\(PercentEncoding.encode(id))").decode(RunDetail.self)
/// }
/// ```
struct KeelAPIClient: Sendable {
    /// The HTTP methods the API uses.
    enum Method: String, Sendable {
        /// Reads.
        case get = "GET"
        /// Creates or acts.
        case post = "POST"
        /// Deletes.
        case delete = "DELETE"
    }

    /// The server's base URL, without a trailing slash.
    let baseURL: String
    /// The API key sent as a bearer token, if any.
    let apiKey: String?
    /// How long to wait for an answer's head.
    var requestTimeout: TimeAmount = .seconds(30)
    /// The most body bytes a non-streamed answer may have.
    var maximumBodySize = 64 * 1024 * 1024

    private let http: HTTPClient

    /// Runs `body` with a client for the server `options` name, and shuts the client down after.
    ///
    /// - Parameters:
    ///   - options: `--url`, `--api-key`.
    ///   - environment: where `KEEL_URL` and `KEEL_API_KEY` are read.
    ///   - body: what to do with the client.
    /// - Throws: ``ClientError`` when the URL is not http(s), and what `body` throws.
    static func with<Result: Sendable>(
        _ options: ClientOptions,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (KeelAPIClient) async throws -> Result
    ) async throws -> Result {
        let baseURL = try validatedBaseURL(options.resolvedURL(environment: environment))
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10))
        // Fail at once when nothing listens, instead of retrying until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let client = KeelAPIClient(baseURL: baseURL, apiKey: options.resolvedAPIKey(environment: environment), http: http)
        do {
            let result = try await body(client)
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// `url` checked to be an http(s) URL with a host, without a trailing slash.
    static func validatedBaseURL(_ url: String) throws -> String {
        var trimmed = url.trimmingWhitespace()
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let parsed = URL(string: trimmed), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            let host = parsed.host, !host.isEmpty
        else {
            throw ClientError("--url '\(url)' is not an http:// or https:// URL")
        }
        return trimmed
    }

    /// Sends a request and reads the whole answer.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the path from the base URL, with its components already percent-encoded.
    ///   - query: query items, encoded here.
    ///   - body: a JSON body, if any.
    /// - Returns: the 2xx answer.
    /// - Throws: ``ClientError`` with the server's message for any other status, or a connection error.
    func send(
        _ method: Method,
        _ path: String,
        query: [(name: String, value: String)] = [],
        body: (some Encodable & Sendable)? = Optional<NoBody>.none
    ) async throws -> APIResponse {
        let request = try makeRequest(method, path, query: query, body: body, accept: "application/json")
        let response = try await execute(request)
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: maximumBodySize)
        } catch {
            throw ClientError("reading the answer of \(baseURL) failed: \(error)")
        }
        let collected = Array(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw Self.apiError(status: Int(response.status.code), reason: response.status.reasonPhrase, body: collected, sentAPIKey: apiKey != nil)
        }
        return APIResponse(status: Int(response.status.code), body: collected)
    }

    /// Follows a `text/event-stream` at `path`, handing each event to `onEvent` as it arrives.
    ///
    /// - Parameters:
    ///   - path: the stream's path, with its components already percent-encoded.
    ///   - onEvent: returns `true` to stop following.
    /// - Returns: whether `onEvent` stopped the stream (`false` when the server closed it first).
    /// - Throws: ``ClientError`` for a non-2xx answer, a connection error, or what `onEvent` throws.
    func followEvents(_ path: String, onEvent: (ServerSentEvent) async throws -> Bool) async throws -> Bool {
        let request = try makeRequest(.get, path, query: [], body: Optional<NoBody>.none, accept: "text/event-stream")
        let response = try await execute(request)
        guard (200..<300).contains(response.status.code) else {
            let bytes = (try? await response.body.collect(upTo: maximumBodySize)).map { Array($0.readableBytesView) } ?? []
            throw Self.apiError(status: Int(response.status.code), reason: response.status.reasonPhrase, body: bytes, sentAPIKey: apiKey != nil)
        }
        var parser = ServerSentEventParser()
        do {
            for try await chunk in response.body {
                for event in parser.consume(chunk.readableBytesView) where try await onEvent(event) {
                    return true
                }
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError("the event stream from \(baseURL) broke: \(Self.describeTransport(error))")
        }
        parser.finish()
        return false
    }

    private func makeRequest(
        _ method: Method,
        _ path: String,
        query: [(name: String, value: String)],
        body: (some Encodable & Sendable)?,
        accept: String
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path + PercentEncoding.query(query))
        request.method = HTTPMethod(rawValue: method.rawValue)
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "keel-cli")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let data = try encoder.encode(body)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        return request
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: requestTimeout)
        } catch {
            throw connectionError(error)
        }
    }

    /// The one-line error for a request that got no answer.
    func connectionError(_ error: any Error) -> ClientError {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return ClientError("\(baseURL) did not answer within \(requestTimeout.nanoseconds / 1_000_000_000) s")
            case .remoteConnectionClosed:
                return ClientError("\(baseURL) closed the connection without answering")
            case .connectTimeout:
                return ClientError("cannot connect to \(baseURL): timed out")
            default: break
            }
        }
        return ClientError("cannot connect to \(baseURL): \(Self.describeTransport(error))")
    }

    /// A short reason for a transport error, without NIO's nesting.
    static func describeTransport(_ error: any Error) -> String {
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("connection refused") || lowered.contains("econnrefused") { return "connection refused" }
        if lowered.contains("connection reset") { return "connection reset" }
        if lowered.contains("dns") || lowered.contains("name resolution") || lowered.contains("nodename nor servname") {
            return "the host name cannot be resolved"
        }
        return text
    }

    /// The error for a non-2xx answer: the server's `{"error": {"code", "message"}}` when it
    /// sent one, with the status and code in parentheses.
    ///
    /// - Parameters:
    ///   - status: the HTTP status code.
    ///   - reason: its reason phrase, such as `Not Found`.
    ///   - body: the answer's body.
    ///   - sentAPIKey: whether the request had a key, to hint at `--api-key` on a 401 without one.
    static func apiError(status: Int, reason: String, body: [UInt8], sentAPIKey: Bool) -> ClientError {
        let statusText = "HTTP \(status) \(reason)"
        var message: String
        if let decoded = try? JSONDecoder().decode(APIErrorBody.self, from: Data(body)), let text = decoded.error.message, !text.isEmpty {
            let code = decoded.error.code.map { ", \($0)" } ?? ""
            message = "\(text) (\(statusText)\(code))"
        } else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingWhitespace()
            message = text.isEmpty ? "the server answered \(statusText)" : "the server answered \(statusText): \(text)"
        }
        if status == 401, !sentAPIKey { message += "; pass --api-key or set KEEL_API_KEY" }
        return ClientError(message)
    }
}

/// The body type of a request without a body.
struct NoBody: Encodable, Sendable {}
