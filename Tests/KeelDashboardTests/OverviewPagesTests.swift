import Foundation
import HTTPTypes
import HummingbirdTesting
import Keel
import NIOCore
import Testing

@Suite("Dashboard tasks, queues and schedules", .timeLimit(.minutes(2)))
struct OverviewPagesTests {
    @Test func tasksShowVersionsQueuesAndRecentSuccessRate() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let ok = try await server.trigger("demo.steps", #"{"count": 1}"#)
            let failed = try await server.trigger("demo.steps", #"{"count": 0}"#)
            try await server.waitFor(ok, .completed)
            try await server.waitFor(failed, .failed)
            let page = try await server.get("/tasks", session)
            #expect(page.status == .ok)
            for task in server.engine.tasks { #expect(page.html.contains(">\(task.name)</a>")) }
            #expect(page.html.contains(#"data-rate="50%""#))
            #expect(page.html.contains("1 completed, 1 failed"))
        }
    }

    @Test func queuesShowDepthRunningAndLimits() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            let id = try await server.trigger("demo.approval", #"{"subject": "q"}"#)
            try await server.waitFor(id, .waiting)
            let page = try await server.get("/queues", session)
            #expect(page.status == .ok)
            #expect(page.html.contains("<tr><td>default</td><td>0</td><td>0</td><td>1</td><td>0</td><td>none</td>"))
        }
    }

    @Test func schedulesAreListedAndCanBeDisabledAndEnabled() async throws {
        try await DashboardFixture.with { server in
            let session = try await server.session()
            try await server.engine.createSchedule(id: "nightly", taskName: "demo.steps", cron: "0 3 * * *", input: Data(#"{"count": 1}"#.utf8))
            let page = try await server.get("/schedules", session)
            #expect(page.html.contains(#"id="schedule-nightly""#) && page.html.contains("0 3 * * *") && page.html.contains(">enabled<"))
            #expect(try await server.post("/schedules/nightly/disable", session, csrf: false).status == .forbidden)
            let disabled = try await server.post("/schedules/nightly/disable", session)
            #expect(disabled.status == .seeOther)
            #expect(try await server.engine.schedules().first?.isEnabled == false)
            let paused = try await server.get("/schedules", session)
            #expect(paused.html.contains("paused") && paused.html.contains(">Enable</button>"))
            #expect(try await server.post("/schedules/nightly/enable", session).status == .seeOther)
            #expect(try await server.engine.schedules().first?.isEnabled == true)
            #expect(try await server.post("/schedules/missing/enable", session).status == .notFound)
        }
    }

    @Test func assetsAreServedWithoutASession() async throws {
        try await DashboardFixture.with { server in
            let css = try await server.request(.get, "/assets/dashboard.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(String(buffer: css.body).contains("prefers-color-scheme: dark"))
            let script = try await server.request(.get, "/assets/dashboard.js")
            #expect(script.status == .ok && String(buffer: script.body).contains("EventSource"))
        }
    }
}
