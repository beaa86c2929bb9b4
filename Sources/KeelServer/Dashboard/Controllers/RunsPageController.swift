import Foundation
import Hummingbird
import Keel
import NIOCore

/// `/`: the runs table with filters, search and paging; `/live/runs`: its live updates
/// (server-sent events); `/bulk`: bulk cancel and re-run, confirmed with a count first.
struct RunsPageController {
    let dashboard: Dashboard

    /// The most runs one bulk action takes.
    static let bulkLimit = 1000

    func addRoutes(to router: Router<KeelRequestContext>) {
        router.get("/", use: list)
        router.get("/live/runs", use: live)
        router.post("/bulk", use: bulk)
    }

    @Sendable func list(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let parameters = request.uri.queryParameters
            let filter = RunFilter { parameters.get($0) }
            return DashboardResponse.page(try await render(filter: filter, context: context, notice: nil, error: nil))
        }
    }

    func render(filter: RunFilter, context: KeelRequestContext, notice: String?, error: String?) async throws -> String {
        let engine = dashboard.engine
        let now = engine.clock.now()
        var runs: [RunRecord]
        var hasMore = false
        if let search = filter.search {
            var found: [RunRecord] = []
            if UUID(uuidString: search) != nil, let run = try? await engine.run(RunID(search.lowercased())) { found.append(run) }
            for run in try await engine.listRuns(RunQuery(limit: 100, idempotencyKey: search)) where !found.contains(where: { $0.id == run.id }) {
                found.append(run)
            }
            runs = found
        } else {
            runs = try await engine.listRuns(filter.query(limit: RunFilter.pageSize + 1))
            hasMore = runs.count > RunFilter.pageSize
            runs = Array(runs.prefix(RunFilter.pageSize))
        }
        let problems = filter.problems.isEmpty ? nil : "Some filters were ignored: " + filter.problems.joined(separator: "; ") + "."
        let view = RunsPageView(
            page: dashboard.chrome("Runs", section: "Runs", context), filter: filter, taskNames: engine.tasks.map(\.name).sorted(),
            runs: runs.map { RunRowView($0, now: now) }, hasMore: hasMore, lastID: runs.last?.id, notice: notice,
            error: error ?? problems, liveSince: now
        )
        return dashboard.renderer.render("runs", view)
    }

    /// Server-sent events for the runs page: an event `run` with the row's HTML for each run of
    /// the first page that is new or changed since `since` (milliseconds since 1970). With `max`,
    /// the stream ends after that many events (for tests and scripts).
    @Sendable func live(request: Request, context: KeelRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let filter = RunFilter { parameters.get($0) }
        let maximumEvents = parameters.get("max").flatMap(Int.init) ?? Int.max
        let since = parameters.get("since").flatMap(Int64.init).map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? dashboard.engine.clock.now()
        let dashboard = self.dashboard
        let body = ResponseBody { writer in
            var known: [RunID: String] = [:]
            for run in try await dashboard.engine.listRuns(filter.query()) where run.updatedAt <= since {
                known[run.id] = Self.signature(run)
            }
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            var quietSince = ContinuousClock.now
            var sent = 0
            while !Task.isCancelled && sent < maximumEvents {
                let runs = try await dashboard.engine.listRuns(filter.query())
                let now = dashboard.engine.clock.now()
                for run in runs.reversed() where known[run.id] != Self.signature(run) && sent < maximumEvents {
                    let update = LiveRunUpdate(
                        id: run.id.rawValue, status: run.status.rawValue, isNew: known[run.id] == nil,
                        html: dashboard.renderer.render("run_row", RunRowView(run, now: now))
                    )
                    known[run.id] = Self.signature(run)
                    try await writer.write(ByteBuffer(string: "event: run\ndata: \(String(decoding: try APIJSON.encode(update), as: UTF8.self))\n\n"))
                    quietSince = ContinuousClock.now
                    sent += 1
                }
                if sent >= maximumEvents { break }
                if ContinuousClock.now - quietSince > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quietSince = ContinuousClock.now
                }
                try await Task.sleep(for: dashboard.pollInterval)
            }
            try await writer.finish(nil)
        }
        var headers = DashboardResponse.securityHeaders(contentType: "text/event-stream")
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    static func signature(_ run: RunRecord) -> String {
        "\(run.status.rawValue)/\(run.attempt)/\(run.updatedAt.timeIntervalSince1970)/\(run.startedAt?.timeIntervalSince1970 ?? 0)"
    }

    struct LiveRunUpdate: Encodable {
        var id: String
        var status: String
        var isNew: Bool
        var html: String
    }

    // MARK: Bulk actions

    struct ConfirmView {
        struct Row {
            var id: String
            var shortID: String
            var task: String
            var status: String
        }

        var page: PageChrome
        var title: String
        var question: String
        var count: Int
        var action: String
        var button: String
        var ids: [String]
        var shown: [Row]
        var shownCount: Int
        var hasMore: Bool
        var backURL: String
    }

    /// `action` is `cancel-selected`, `rerun-selected` (the runs ticked, as `run` fields),
    /// `cancel-matching` or `rerun-matching` (every run of the filter in the `filter.*` fields).
    /// Without `confirmed=1` it answers a confirmation page naming how many runs; with it, it acts
    /// on the runs listed (as `run` fields) by that page.
    @Sendable func bulk(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let form = try await DashboardForm.read(request, limit: dashboard.bodyLimit)
            try form.requireCSRF(request, context: context)
            let filter = RunFilter { form["filter.\($0)"] }
            let action = form["action"] ?? ""
            let verb: String
            switch action {
            case "cancel-selected", "cancel-matching": verb = "cancel"
            case "rerun-selected", "rerun-matching": verb = "rerun"
            default: throw DashboardError(.badRequest, "Unknown bulk action '\(action)'; use cancel-selected, rerun-selected, cancel-matching or rerun-matching.")
            }
            var ids = form.all("run").filter { UUID(uuidString: $0) != nil }.map { RunID($0.lowercased()) }
            if form["confirmed"] == "1" {
                guard !ids.isEmpty else { throw DashboardError(.badRequest, "No runs to act on.") }
                let message = verb == "cancel" ? try await cancel(ids) : try await rerun(ids)
                return DashboardResponse.page(try await render(filter: RunFilter { _ in nil }, context: context, notice: message, error: nil))
            }
            if action.hasSuffix("-matching") {
                ids = try await matching(filter)
            }
            guard !ids.isEmpty else {
                let message = action.hasSuffix("-selected") ? "Select runs first: tick the boxes of the runs to \(verb == "cancel" ? "cancel" : "re-run")." : "No runs match the filter."
                return DashboardResponse.page(try await render(filter: filter, context: context, notice: nil, error: message), status: .unprocessableContent)
            }
            ids = Array(ids.prefix(Self.bulkLimit))
            var shown: [ConfirmView.Row] = []
            for id in ids.prefix(20) {
                if let run = try? await dashboard.engine.run(id) {
                    shown.append(.init(id: id.rawValue, shortID: DashboardFormat.shortID(id), task: run.taskName, status: run.status.rawValue))
                }
            }
            let noun = ids.count == 1 ? "run" : "runs"
            let scope = action.hasSuffix("-matching") ? (filter.isFiltered ? " matching the filter" : " (every run)") : " selected"
            let question =
                verb == "cancel"
                ? "Cancel \(ids.count) \(noun)\(scope)? Runs that already finished stay as they are; children of cancelled runs are cancelled too."
                : "Re-run \(ids.count) \(noun)\(scope)? Each is triggered again with its input, as a new run."
            let view = ConfirmView(
                page: dashboard.chrome("Confirm", section: "Runs", context), title: verb == "cancel" ? "Cancel runs" : "Re-run runs",
                question: question, count: ids.count, action: action,
                button: verb == "cancel" ? "Cancel \(ids.count) \(noun)" : "Re-run \(ids.count) \(noun)", ids: ids.map(\.rawValue),
                shown: shown, shownCount: shown.count, hasMore: ids.count > shown.count, backURL: filter.url()
            )
            return DashboardResponse.page(dashboard.renderer.render("confirm", view))
        }
    }

    /// Every run of `filter`, newest first, up to the bulk limit.
    func matching(_ filter: RunFilter) async throws -> [RunID] {
        var ids: [RunID] = []
        var query = filter.query(limit: 500)
        query.before = nil
        while ids.count < Self.bulkLimit {
            let page = try await dashboard.engine.listRuns(query)
            ids += page.map(\.id)
            guard page.count == query.limit, let last = page.last else { break }
            query.before = last.id
        }
        return Array(ids.prefix(Self.bulkLimit))
    }

    func cancel(_ ids: [RunID]) async throws -> String {
        var cancelled = 0
        var finished = 0
        for id in ids {
            guard let before = try? await dashboard.engine.run(id) else { continue }
            if before.status.isTerminal {
                finished += 1
                continue
            }
            if (try? await dashboard.engine.cancel(id))?.status == .cancelled { cancelled += 1 }
        }
        return "Cancelled \(cancelled) \(cancelled == 1 ? "run" : "runs")" + (finished > 0 ? "; \(finished) had already finished." : ".")
    }

    func rerun(_ ids: [RunID]) async throws -> String {
        var triggered = 0
        var failures: [String] = []
        for id in ids {
            do {
                let run = try await dashboard.engine.run(id)
                _ = try await dashboard.engine.trigger(taskName: run.taskName, input: run.input, options: RunPageController.rerunOptions(of: run))
                triggered += 1
            } catch {
                failures.append("\(DashboardFormat.shortID(id)): \(Dashboard.describe(error).1)")
            }
        }
        return "Re-ran \(triggered) \(triggered == 1 ? "run" : "runs") as new runs" + (failures.isEmpty ? "." : "; not re-run: " + failures.joined(separator: "; ") + ".")
    }
}
