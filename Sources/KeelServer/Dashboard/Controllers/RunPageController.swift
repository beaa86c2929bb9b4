import Foundation
import Hummingbird
import Keel
import NIOCore

/// `/runs/{id}`: one run — header, timeline, journal, logs — with its live panel and events,
/// and its actions: cancel, resume, re-run (with an edited input, validated first), and
/// completing the waitpoint token it waits on.
struct RunPageController {
    let dashboard: Dashboard

    func addRoutes(to router: Router<KeelRequestContext>) {
        router.get("/runs/{id}", use: show)
        router.get("/runs/{id}/panel", use: panel)
        router.get("/runs/{id}/live", use: live)
        router.post("/runs/{id}/cancel", use: cancel)
        router.post("/runs/{id}/resume", use: resume)
        router.post("/runs/{id}/rerun", use: rerun)
        router.post("/runs/{id}/validate", use: validate)
        router.post("/tokens/{token}/complete", use: completeToken)
    }

    @Sendable func show(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let view = try await view(of: try runID(context), context: context)
            return DashboardResponse.page(dashboard.renderer.render("run", view))
        }
    }

    /// The part of the run page that changes while the run is active, for the page's script.
    @Sendable func panel(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let view = try await view(of: try runID(context), context: context)
            return DashboardResponse.page(dashboard.renderer.render("run_panel", view))
        }
    }

    /// Server-sent events while the run is active: `change` on every status change and journal
    /// entry, `end` when it finishes. The page reloads its panel on each.
    @Sendable func live(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let id = try runID(context)
            _ = try await dashboard.engine.run(id)
            let updates = dashboard.engine.updates(of: id, pollInterval: dashboard.pollInterval)
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for try await update in updates {
                    switch update {
                    case .status(let record): try await writer.write(ByteBuffer(string: "event: change\ndata: \(record.status.rawValue)\n\n"))
                    case .entry(let entry): try await writer.write(ByteBuffer(string: "event: change\ndata: \(entry.kind.rawValue)\n\n"))
                    case .finished(let record): try await writer.write(ByteBuffer(string: "event: end\ndata: \(record.status.rawValue)\n\n"))
                    }
                }
                try await writer.finish(nil)
            }
            var headers = DashboardResponse.securityHeaders(contentType: "text/event-stream")
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: body)
        }
    }

    @Sendable func cancel(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            try await DashboardForm.read(request, limit: dashboard.bodyLimit).requireCSRF(request, context: context)
            let id = try runID(context)
            try await dashboard.engine.cancel(id)
            return DashboardResponse.redirect(to: "/runs/\(id.rawValue)")
        }
    }

    @Sendable func resume(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            try await DashboardForm.read(request, limit: dashboard.bodyLimit).requireCSRF(request, context: context)
            let id = try runID(context)
            try await dashboard.engine.resume(id)
            return DashboardResponse.redirect(to: "/runs/\(id.rawValue)")
        }
    }

    /// Triggers the run's task again with the submitted `input`; answers the run page with the
    /// error (and the input as submitted) when it is not JSON or does not decode.
    @Sendable func rerun(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let form = try await DashboardForm.read(request, limit: dashboard.bodyLimit)
            try form.requireCSRF(request, context: context)
            let id = try runID(context)
            let record = try await dashboard.engine.run(id)
            let text = form["input"] ?? ""
            do {
                let input = try checkedInput(text, taskName: record.taskName)
                let newID = try await dashboard.engine.trigger(taskName: record.taskName, input: input, options: Self.rerunOptions(of: record))
                return DashboardResponse.redirect(to: "/runs/\(newID.rawValue)")
            } catch {
                var view = try await view(of: id, context: context)
                view.rerunInput = text
                view.rerunError = Dashboard.describe(error).1
                return DashboardResponse.page(dashboard.renderer.render("run", view), status: .unprocessableContent)
            }
        }
    }

    struct ValidationAnswer: Encodable {
        var ok: Bool
        var error: String?
    }

    /// Checks an edited input without triggering: `{"ok": true}` or `{"ok": false, "error": …}`.
    @Sendable func validate(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let form = try await DashboardForm.read(request, limit: dashboard.bodyLimit)
            try form.requireCSRF(request, context: context)
            let record = try await dashboard.engine.run(try runID(context))
            do {
                _ = try checkedInput(form["input"] ?? "", taskName: record.taskName)
                return try DashboardResponse.json(ValidationAnswer(ok: true))
            } catch {
                // 200: the check itself succeeded; its answer is that the input is refused.
                return try DashboardResponse.json(ValidationAnswer(ok: false, error: Dashboard.describe(error).1))
            }
        }
    }

    /// Completes a waitpoint token with the submitted JSON `payload`, then shows its run.
    @Sendable func completeToken(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let form = try await DashboardForm.read(request, limit: dashboard.bodyLimit)
            try form.requireCSRF(request, context: context)
            let token = try context.parameters.require("token")
            let waitpoint = try await dashboard.engine.waitpoint(token)
            let text = form["payload"] ?? ""
            do {
                let payload = try Self.parseJSON(text, what: "The payload")
                try await dashboard.engine.completeToken(token, payload: payload)
                return DashboardResponse.redirect(to: "/runs/\(waitpoint.runID.rawValue)")
            } catch {
                var view = try await view(of: waitpoint.runID, context: context)
                view.tokenError = Dashboard.describe(error).1
                return DashboardResponse.page(dashboard.renderer.render("run", view), status: .unprocessableContent)
            }
        }
    }

    // MARK: Helpers

    /// The JSON of `text` if it is JSON the task's input decodes from.
    func checkedInput(_ text: String, taskName: String) throws -> Data {
        let data = try Self.parseJSON(text, what: "The input")
        try dashboard.engine.validateInput(taskName: taskName, input: data)
        return data
    }

    /// `text` as JSON data, or an error naming the line and column of the mistake.
    static func parseJSON(_ text: String, what: String) throws -> Data {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw DashboardError(.unprocessableContent, "\(what) is empty; enter JSON such as {}.") }
        let data = Data(trimmed.utf8)
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw DashboardError(.unprocessableContent, "\(what) is not valid JSON: \(JSONSyntaxCheck.firstError(in: Array(data)) ?? "not valid JSON")")
        }
        return data
    }

    /// The options of a re-run: the run's tags (marked as a re-run of it), nothing else.
    static func rerunOptions(of record: RunRecord) -> TriggerOptions {
        var options = TriggerOptions()
        options.tags = record.tags.filter { !$0.hasPrefix("rerun-of:") && !$0.hasPrefix("schedule:") } + ["rerun-of:\(record.id.rawValue)"]
        return options
    }

    func runID(_ context: KeelRequestContext) throws -> RunID {
        let text = try context.parameters.require("id")
        guard UUID(uuidString: text) != nil else { throw DashboardError(.notFound, "There is no run with id '\(text)'.") }
        return RunID(text.lowercased())
    }

    func view(of id: RunID, context: KeelRequestContext) async throws -> RunPageView {
        let engine = dashboard.engine
        let record = try await engine.run(id)
        let journal = try await engine.journal(id)
        let logs = try await engine.logs(of: id, limit: 1000)
        let parent = await record.parentID.asyncMap { try? await engine.run($0) } ?? nil
        let children = try await engine.listRuns(RunQuery(parentID: id, limit: 100)).reversed()
        var pending: [WaitToken] = []
        if !record.status.isTerminal {
            for entry in journal where entry.kind == .tokenCreated {
                guard let payload = entry.payload, let token = try? APIJSON.decoder().decode(WaitToken.self, from: payload) else { continue }
                if let waitpoint = try? await engine.waitpoint(token.id), waitpoint.status == .pending { pending.append(token) }
            }
        }
        return RunPageView(
            page: dashboard.chrome("Run \(DashboardFormat.shortID(id))", section: "Runs", context), record: record, journal: journal, logs: logs,
            parent: parent, children: Array(children), pendingTokens: pending, now: engine.clock.now()
        )
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
