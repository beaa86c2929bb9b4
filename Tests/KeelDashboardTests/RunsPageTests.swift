import Foundation
import HTTPTypes
import HummingbirdTesting
import Keel
import NIOCore
import Testing

@Suite("Dashboard runs page", .timeLimit(.minutes(2)))
struct RunsPageTests {
    @Test func theTableFiltersSearchesAndPagesNewestFirst() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            var steps: [RunID] = []
            for _ in 0..<27 { steps.append(try await server.trigger("demo.steps", #"{"count": 1}"#)) }
            let tagged = try await server.trigger("demo.flaky", #"{"failures": 0}"#, tags: ["nightly"])
            let keyed = try await server.trigger("demo.approval", #"{"subject": "keyed"}"#, idempotencyKey: "order-42")
            for id in steps { try await server.waitFor(id, .completed) }

            // Newest first, a page of 25, with a link to the next page.
            let first = try await server.get("/", session)
            #expect(first.status == .ok)
            #expect(DashboardFixture.count(#"class="run-row""#, in: first.html) == 25)
            let keyedAt = try #require(first.html.range(of: "run-\(keyed)"))
            let taggedAt = try #require(first.html.range(of: "run-\(tagged)"))
            #expect(keyedAt.lowerBound < taggedAt.lowerBound)
            #expect(first.html.contains(#"class="status status-completed""#))
            #expect(first.html.contains("data-live=\"/live/runs?since="))
            let next = try DashboardFixture.capture(#"<a href="([^"]+)" rel="next">"#, in: first.html).replacingOccurrences(of: "&amp;", with: "&")
            let second = try await server.get(next, session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: second.html) == 4)
            #expect(second.html.contains("run-\(steps[0])"))
            #expect(!second.html.contains("data-live="))  // only the first page is live

            // Filters: task, status, tag, time range.
            let flaky = try await server.get("/?task=demo.flaky", session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: flaky.html) == 1 && flaky.html.contains("run-\(tagged)"))
            let waiting = try await server.get("/?status=waiting", session)
            #expect(waiting.html.contains("run-\(keyed)") && !waiting.html.contains("run-\(steps[0])"))
            let nightly = try await server.get("/?tag=nightly", session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: nightly.html) == 1)
            let future = try await server.get("/?from=2999-01-01T00:00&tz=0", session)
            #expect(future.html.contains("No runs match."))
            let past = try await server.get("/?to=2999-01-01T00:00&tz=-60&task=demo.flaky", session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: past.html) == 1)

            // Search by run id or by idempotency key.
            let byID = try await server.get("/?q=\(tagged)", session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: byID.html) == 1 && byID.html.contains("run-\(tagged)"))
            let byKey = try await server.get("/?q=order-42", session)
            #expect(DashboardFixture.count(#"class="run-row""#, in: byKey.html) == 1 && byKey.html.contains("run-\(keyed)"))
            #expect(try await server.get("/?q=nothing-like-this", session).html.contains("No runs match."))

            // Bad filter values are reported on the page, not fatal.
            let bad = try await server.get("/?status=sleepy&from=yesterday&cursor=nope", session)
            #expect(bad.status == .ok)
            #expect(bad.html.contains("Some filters were ignored") && bad.html.contains("unknown status"))
        }
    }

    @Test func theLiveStreamSendsNewRunsAndStatusChangesAsRows() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let since = Int64(Date().timeIntervalSince1970 * 1000) - 1
            let id = try await server.trigger("demo.approval", #"{"subject": "live"}"#)
            let stream = try await server.get("/live/runs?since=\(since)&max=1", session)
            #expect(stream.status == .ok)
            #expect(stream.response.headers[.contentType] == "text/event-stream")
            #expect(stream.html.contains("event: run"))
            #expect(stream.html.contains(#""id":"\#(id)""#))
            #expect(stream.html.contains(#""isNew":true"#))
            #expect(stream.html.contains("run-row"))
        }
    }

    @Test func bulkActionsConfirmWithTheCountThenAct() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            var ids: [RunID] = []
            for index in 0..<3 { ids.append(try await server.trigger("demo.approval", #"{"subject": "bulk \#(index)"}"#, tags: ["bulk"])) }
            let other = try await server.trigger("demo.approval", #"{"subject": "other"}"#)
            for id in ids + [other] { try await server.waitFor(id, .waiting) }

            // Nothing selected: said so, nothing done.
            let empty = try await server.post("/bulk", session, [("action", "cancel-selected")])
            #expect(empty.status == .unprocessableContent && empty.html.contains("Select runs first"))

            // By filter: a confirmation naming the count, with the runs it will act on.
            let confirm = try await server.post("/bulk", session, [("action", "cancel-matching"), ("filter.tag", "bulk")])
            #expect(confirm.status == .ok)
            #expect(confirm.html.contains("Cancel 3 runs matching the filter?"))
            #expect(confirm.html.contains(#"data-count="3""#))
            #expect(DashboardFixture.count(#"<input type="hidden" name="run""#, in: confirm.html) == 3)
            for id in ids { #expect(try await server.engine.run(id).status == .waiting) }  // nothing yet

            let done = try await server.post("/bulk", session, [("action", "cancel-matching"), ("confirmed", "1")] + ids.map { ("run", $0.rawValue) })
            #expect(done.status == .ok && done.html.contains("Cancelled 3 runs."))
            for id in ids { #expect(try await server.engine.run(id).status == .cancelled) }
            #expect(try await server.engine.run(other).status == .waiting)

            // By selection: re-run two of them as new runs.
            let rerunConfirm = try await server.post("/bulk", session, [("action", "rerun-selected"), ("run", ids[0].rawValue), ("run", ids[1].rawValue)])
            #expect(rerunConfirm.html.contains("Re-run 2 runs selected?"))
            let before = try await server.engine.listRuns(RunQuery(taskName: "demo.approval", limit: 100)).count
            let rerun = try await server.post("/bulk", session, [("action", "rerun-selected"), ("confirmed", "1"), ("run", ids[0].rawValue), ("run", ids[1].rawValue)])
            #expect(rerun.html.contains("Re-ran 2 runs as new runs."))
            let after = try await server.engine.listRuns(RunQuery(taskName: "demo.approval", limit: 100))
            #expect(after.count == before + 2)
            #expect(after.first?.tags.contains("rerun-of:\(ids[1])") == true || after.first?.tags.contains("rerun-of:\(ids[0])") == true)

            #expect(try await server.post("/bulk", session, [("action", "explode")]).status == .badRequest)
        }
    }
}
