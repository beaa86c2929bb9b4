import Foundation
import HTTPTypes
import HummingbirdTesting
import Keel
import NIOCore
import Testing

@Suite("Dashboard run page", .timeLimit(.minutes(2)))
struct RunPageTests {
    @Test func theRunPageShowsHeaderTimelineJournalAndLogs() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.flaky", #"{"failures": 2}"#)
            try await server.waitFor(id, .completed)
            let page = try await server.get("/runs/\(id)", session)
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<span class="status status-completed" id="run-status">completed</span>"#))
            #expect(page.html.contains("demo.flaky"))
            // The Gantt chart: two failed attempts, each followed by a hatched backoff, then the success.
            #expect(page.html.contains(#"<svg class="timeline""#))
            #expect(DashboardFixture.count("bar bar-failed", in: page.html) == 2)
            #expect(DashboardFixture.count("bar bar-backoff", in: page.html) == 2)
            #expect(DashboardFixture.count("bar bar-ok", in: page.html) == 2)  // the run and the step
            // The journal lists every entry with its recorded JSON.
            #expect(DashboardFixture.count(#"class="journal-entry""#, in: page.html) == 3)
            #expect(page.html.contains("step.attempt_failed"))
            #expect(page.html.contains("&quot;kind&quot; : &quot;step.completed&quot;"))
            // The logs the run wrote.
            #expect(page.html.contains(#"id="logs""#) && page.html.contains("step attempt failed; retrying"))
            // The live panel alone.
            let panel = try await server.get("/runs/\(id)/panel", session)
            #expect(panel.status == .ok && panel.html.hasPrefix("<section class=\"run-header card\">"))
        }
    }

    @Test func aFailedRunShowsItsErrorAndCauses() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.steps", #"{"count": 5000}"#)
            try await server.waitFor(id, .failed)
            let page = try await server.get("/runs/\(id)", session)
            #expect(page.html.contains("error-card"))
            #expect(page.html.contains("count must be between 1 and 1000"))
        }
    }

    @Test func childrenAndParentAreLinked() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.fanout", #"{"children": 2}"#)
            try await server.waitFor(id, .completed)
            let page = try await server.get("/runs/\(id)", session)
            let children = try await server.engine.listRuns(RunQuery(parentID: id))
            #expect(children.count == 2)
            for child in children {
                #expect(page.html.contains(#"href="/runs/\#(child.id)""#))
            }
            #expect(page.html.contains("child-link"))
            let childPage = try await server.get("/runs/\(children[0].id)", session)
            #expect(childPage.html.contains("<dt>Parent</dt>") && childPage.html.contains(#"href="/runs/\#(id)""#))
        }
    }

    @Test func unknownRunsAreAPageNotAnError() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let missing = try await server.get("/runs/01a00000-0000-7000-8000-000000000000", session)
            #expect(missing.status == .notFound && missing.html.contains("no run with id"))
            #expect(missing.response.headers[.contentType]?.hasPrefix("text/html") == true)
            let garbage = try await server.get("/runs/not-a-run", session)
            #expect(garbage.status == .notFound && garbage.html.contains("There is no run"))
            let noPage = try await server.get("/no/such/page", session)
            #expect(noPage.status == .notFound && noPage.html.contains("There is no page at /no/such/page"))
        }
    }

    @Test func rerunValidatesTheEditedInputBeforeTriggering() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.steps", #"{"count": 1}"#, tags: ["keep"])
            try await server.waitFor(id, .completed)
            let page = try await server.get("/runs/\(id)", session)
            #expect(page.html.contains(#"<textarea name="input" id="rerun-input""#) && page.html.contains("&quot;count&quot; : 1"))
            let count = { try await server.engine.listRuns(RunQuery(taskName: "demo.steps")).count }
            let before = try await count()

            let notJSON = try await server.post("/runs/\(id)/rerun", session, [("input", #"{"count": "#)])
            #expect(notJSON.status == .unprocessableContent && notJSON.html.contains("The input is not valid JSON"))
            #expect(notJSON.html.contains("{&quot;count&quot;: </textarea>"))  // the editor keeps what was typed
            let wrongShape = try await server.post("/runs/\(id)/rerun", session, [("input", #"{"count": "three"}"#)])
            #expect(wrongShape.status == .unprocessableContent && wrongShape.html.contains("count"))
            #expect(try await count() == before)

            let check = try await server.post("/runs/\(id)/validate", session, [("input", #"{"count": "three"}"#)])
            #expect(check.status == .ok && check.html.contains(#""ok":false"#))
            #expect(try await server.post("/runs/\(id)/validate", session, [("input", #"{"count": 2}"#)]).html.contains(#""ok":true"#))

            let rerun = try await server.post("/runs/\(id)/rerun", session, [("input", #"{"count": 2, "sleepSeconds": 0}"#)])
            #expect(rerun.status == .seeOther)
            let location = try #require(rerun.response.headers[.location])
            let newID = RunID(String(location.dropFirst("/runs/".count)))
            #expect(newID != id)
            let new = try await server.waitFor(newID, .completed)
            #expect(String(decoding: new.input, as: UTF8.self) == #"{"count": 2, "sleepSeconds": 0}"#)
            #expect(new.tags == ["keep", "rerun-of:\(id)"])
        }
    }

    @Test func aWaitingRunsTokenIsCompletedFromItsPage() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.approval", #"{"subject": "deploy"}"#)
            try await server.waitFor(id, .waiting)
            let page = try await server.get("/runs/\(id)", session)
            #expect(page.html.contains(#"class="token-form""#))
            let token = try DashboardFixture.capture(#"action="/tokens/([^/]+)/complete""#, in: page.html)

            let bad = try await server.post("/tokens/\(token)/complete", session, [("run", id.rawValue), ("payload", "{nope")])
            #expect(bad.status == .unprocessableContent && bad.html.contains("The payload is not valid JSON"))
            #expect(try await server.engine.run(id).status == .waiting)

            let done = try await server.post("/tokens/\(token)/complete", session, [("run", id.rawValue), ("payload", #"{"approved": true}"#)])
            #expect(done.status == .seeOther && done.response.headers[.location] == "/runs/\(id)")
            let run = try await server.waitFor(id, .completed)
            #expect(String(decoding: run.output ?? Data(), as: UTF8.self).contains(#""approved":true"#))
            #expect(!(try await server.get("/runs/\(id)", session)).html.contains(#"class="token-form""#))

            let again = try await server.post("/tokens/\(token)/complete", session, [("payload", "{}")])
            #expect(again.status == .unprocessableContent || again.status == .conflict)
            let unknown = try await server.post("/tokens/tok_missing/complete", session, [("payload", "{}")])
            #expect(unknown.status == .notFound)
        }
    }

    @Test func theRunEventStreamEndsWhenTheRunFinishes() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.steps", #"{"count": 2, "sleepSeconds": 0.1}"#)
            let stream = try await server.get("/runs/\(id)/live", session)
            #expect(stream.status == .ok)
            #expect(stream.html.contains("event: change"))
            #expect(stream.html.hasSuffix("event: end\ndata: completed\n\n"))
        }
    }
}
