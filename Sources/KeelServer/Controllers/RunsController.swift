import Foundation
import Hummingbird
import Keel
import NIOCore
import ServiceLifecycle

/// `/api/v1/runs`: listing runs, one run with its journal, cancelling, resuming, following.
struct RunsController {
    let engine: KeelEngine
    /// How often an event stream looks for changes made by other processes.
    let followPollInterval: Duration
    /// How long an event stream may stay quiet before it sends a keep-alive comment.
    var keepAliveInterval: Duration = .seconds(15)

    func addRoutes(to group: RouterGroup<KeelRequestContext>) {
        group.get("runs", use: list)
        group.get("runs/{id}", use: show)
        group.post("runs/{id}/cancel", use: cancel)
        group.post("runs/{id}/resume", use: resume)
        group.get("runs/{id}/events", use: events)
        group.get("runs/{id}/logs", use: logs)
    }

    /// The run's log lines, oldest first; `after` (a sequence number) and `limit` page through them.
    @Sendable func logs(request: Request, context: KeelRequestContext) async throws -> RunLogListResponse {
        let id = try runID(context)
        let parameters = request.uri.queryParameters
        var after: Int?
        if let text = parameters.get("after") {
            guard let value = Int(text), value >= 0 else {
                throw APIError.invalidRequest("the query parameter 'after' must be a sequence number (0 or more), got '\(text)'")
            }
            after = value
        }
        var limit = 1000
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError.invalidRequest("the query parameter 'limit' must be a whole number from 1 to 1000, got '\(text)'")
            }
            limit = value
        }
        let lines = try await engine.logs(of: id, afterSequence: after, limit: limit)
        return RunLogListResponse(logs: lines.map(RunLogLineResponse.init))
    }

    @Sendable func list(request: Request, context: KeelRequestContext) async throws -> RunListResponse {
        let query = try RunListQuery(request.uri.queryParameters).runQuery
        let runs = try await engine.listRuns(query)
        let nextCursor = runs.count == query.limit ? runs.last?.id.rawValue : nil
        return RunListResponse(runs: runs.map(RunSummaryResponse.init), nextCursor: nextCursor)
    }

    @Sendable func show(request: Request, context: KeelRequestContext) async throws -> RunResponse {
        try await runResponse(try runID(context))
    }

    @Sendable func cancel(request: Request, context: KeelRequestContext) async throws -> RunResponse {
        let id = try runID(context)
        try await engine.cancel(id)
        return try await runResponse(id)
    }

    @Sendable func resume(request: Request, context: KeelRequestContext) async throws -> RunResponse {
        let id = try runID(context)
        try await engine.resume(id)
        return try await runResponse(id)
    }

    /// Server-sent events: the run, its journal entries and status changes as they happen,
    /// with a comment line every ``keepAliveInterval`` so proxies keep a quiet stream open. The
    /// stream ends when the run does, or when the server shuts down.
    @Sendable func events(request: Request, context: KeelRequestContext) async throws -> Response {
        let id = try runID(context)
        _ = try await engine.run(id)  // a 404 before the stream starts, not an error inside it
        let (chunks, stop) = Self.eventChunks(engine.updates(of: id, pollInterval: followPollInterval), keepAliveInterval: keepAliveInterval)
        let body = ResponseBody { writer in
            // The server drains its connections before the engine stops: end the stream then,
            // or a follower would hold the server up.
            try await withGracefulShutdownHandler {
                for try await chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
            } onGracefulShutdown: {
                stop()
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body
        )
    }

    /// The text of the event stream: one `id`/`event`/`data` block per update, numbered from 1,
    /// and `: keep-alive` comments while nothing happens; `stop` ends it early.
    static func eventChunks(
        _ updates: AsyncThrowingStream<RunUpdate, any Error>,
        keepAliveInterval: Duration
    ) -> (chunks: AsyncThrowingStream<String, any Error>, stop: @Sendable () -> Void) {
        let (chunks, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        do {
            let keepAlive = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: keepAliveInterval)
                    if !Task.isCancelled { continuation.yield(": keep-alive\n\n") }
                }
            }
            let events = Task {
                var eventID = 0
                func block(_ event: String, _ value: some Encodable) throws -> String {
                    eventID += 1
                    return "id: \(eventID)\nevent: \(event)\ndata: \(String(decoding: try APIJSON.encode(value), as: UTF8.self))\n\n"
                }
                do {
                    for try await update in updates {
                        switch update {
                        case .status(let record): continuation.yield(try block("run", RunSummaryResponse(record)))
                        case .entry(let entry): continuation.yield(try block("journal", JournalEntryResponse(entry)))
                        case .finished(let record): continuation.yield(try block("end", RunSummaryResponse(record)))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                keepAlive.cancel()
            }
            continuation.onTermination = { _ in
                events.cancel()
                keepAlive.cancel()
            }
        }
        return (chunks, { continuation.finish() })
    }

    private func runID(_ context: KeelRequestContext) throws -> RunID {
        RunID(try context.pathParameter("id"))
    }

    private func runResponse(_ id: RunID) async throws -> RunResponse {
        let record = try await engine.run(id)
        return RunResponse(record, journal: try await engine.journal(id))
    }
}

/// The query of `GET /api/v1/runs`, checked: `task`, `status` (comma-separated), `tag`, `from`,
/// `to`, `cursor`, `limit`.
struct RunListQuery {
    var runQuery: RunQuery

    init(_ parameters: Parameters) throws {
        var query = RunQuery()
        query.taskName = parameters.get("task").flatMap { $0.isEmpty ? nil : $0 }
        query.tag = parameters.get("tag").flatMap { $0.isEmpty ? nil : $0 }
        if let statuses = parameters.get("status"), !statuses.isEmpty {
            query.statuses = try statuses.split(separator: ",").map { name in
                guard let status = RunStatus(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw APIError.invalidRequest(
                        "unknown status '\(name)' in the query parameter 'status'; use one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return status
            }
        }
        for (name, keyPath) in [("from", \RunQuery.createdFrom), ("to", \RunQuery.createdTo)] {
            guard let text = parameters.get(name) else { continue }
            guard let date = APIJSON.parseDate(text) else {
                throw APIError.invalidRequest("the query parameter '\(name)' must be an ISO 8601 date such as 2026-12-01T10:00:00Z, got '\(text)'")
            }
            query[keyPath: keyPath] = date
        }
        if let cursor = parameters.get("cursor") {
            guard UUID(uuidString: cursor) != nil else {
                throw APIError.invalidRequest("the query parameter 'cursor' is not a cursor this API returned: '\(cursor)'")
            }
            query.before = RunID(cursor.lowercased())
        }
        if let limitText = parameters.get("limit") {
            guard let limit = Int(limitText), (1...500).contains(limit) else {
                throw APIError.invalidRequest("the query parameter 'limit' must be a whole number from 1 to 500, got '\(limitText)'")
            }
            query.limit = limit
        }
        runQuery = query
    }
}
