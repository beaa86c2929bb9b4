import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
import KeelServer
import Testing

@Suite("Tokens, events, schedules, metrics and health over HTTP", .timeLimit(.minutes(2)))
struct WaitpointAndScheduleRoutesTests {
    struct Order: Codable, Sendable { var paid: Bool }

    /// Waits for the event `order.paid` and returns its payload.
    static let awaitPayment = ClosureTask("await-payment") { (_: [String: String], context: TaskContext) -> Order in
        try await context.waitForEvent("order.paid", as: Order.self, timeout: .seconds(3600))
    }

    /// The id of the token a `demo.approval` run created, from its journal.
    static func tokenID(of run: JSONValue) throws -> String {
        guard case .array(let journal) = run["journal"],
            let created = journal.first(where: { $0["kind"] == .string("token.created") }),
            case .string(let id) = created["payload"]?["id"]
        else { throw FixtureError("no token.created entry in \(run)") }
        return id
    }

    @Test func completingATokenThroughItsCallbackURLFinishesTheRun() async throws {
        try await ServerFixture.with { server in
            let id = try await server.trigger("demo.approval", input: #"{"subject": "deploy"}"#)
            let waiting = try await server.waitFor(id, status: "waiting")
            let token = try Self.tokenID(of: waiting)

            let completed = try await server.json(.post, "/api/v1/tokens/\(token)/complete", json: #"{"payload": {"approved": true, "by": "ada"}}"#)
            #expect(completed["status"] == .string("completed"))
            #expect(completed["runId"] == .string(id.rawValue))
            let run = try await server.waitFor(id, status: "completed")
            #expect(run["output"] == .object(["token": .string(token), "payload": .object(["approved": .bool(true), "by": .string("ada")])]))

            let twice = try await server.json(.post, "/api/v1/tokens/\(token)/complete", json: #"{"payload": {}}"#, expect: .conflict)
            #expect(apiError(twice).code == "invalidState")
            let unknown = try await server.json(.post, "/api/v1/tokens/no-such-token/complete", json: #"{"payload": {}}"#, expect: .notFound)
            #expect(apiError(unknown).code == "tokenNotFound")
            let malformed = try await server.json(.post, "/api/v1/tokens/\(token)/complete", json: "{payload}", expect: .badRequest)
            #expect(apiError(malformed).code == "malformedJSON")
        }
    }

    @Test func anEventReachesTheRunWaitingForIt() async throws {
        try await ServerFixture.with(tasks: [Self.awaitPayment]) { server in
            let id = try await server.trigger("await-payment", input: "{}")
            _ = try await server.waitFor(id, status: "waiting")
            let sent = try await server.json(.post, "/api/v1/events/order.paid", json: #"{"payload": {"paid": true}}"#)
            #expect(sent["runs"] == .array([.string(id.rawValue)]))
            let run = try await server.waitFor(id, status: "completed")
            #expect(run["output"] == .object(["paid": .bool(true)]))
            #expect(try await server.json(.post, "/api/v1/events/order.paid", json: #"{"payload": {}}"#)["runs"] == .array([]))
        }
    }

    @Test func schedulesAreCreatedListedAndDeleted() async throws {
        try await ServerFixture.with { server in
            let created = try await server.json(
                .post, "/api/v1/schedules", json: #"{"id": "nightly", "task": "demo.steps", "cron": "0 3 * * *", "timeZone": "Europe/Paris", "input": {"count": 2}}"#,
                expect: .created
            )
            #expect(created["cron"] == .string("0 3 * * *"))
            #expect(created["timeZone"] == .string("Europe/Paris"))
            #expect(created["nextRunAt"] != nil)
            let list = try await server.json(.get, "/api/v1/schedules")
            if case .array(let schedules) = list["schedules"] { #expect(schedules.map { $0["id"] } == [.string("nightly")]) }

            let badCron = try await server.json(.post, "/api/v1/schedules", json: #"{"id": "bad", "task": "demo.steps", "cron": "0 25 * * *", "input": {"count": 1}}"#, expect: .unprocessableContent)
            #expect(apiError(badCron).message.contains("hour"))
            let badZone = try await server.json(.post, "/api/v1/schedules", json: #"{"id": "bad", "task": "demo.steps", "cron": "@daily", "timeZone": "Mars/Base", "input": {"count": 1}}"#, expect: .unprocessableContent)
            #expect(apiError(badZone).message.contains("Mars/Base"))
            _ = try await server.json(.post, "/api/v1/schedules", json: #"{"id": "bad", "task": "nope", "cron": "@daily"}"#, expect: .notFound)

            _ = try await server.json(.post, "/api/v1/schedules", json: #"{"id": "weekly report", "task": "demo.steps", "cron": "@weekly", "input": {"count": 1}}"#, expect: .created)
            #expect(try await server.request(.delete, "/api/v1/schedules/weekly%20report").status == .noContent)
            #expect(try await server.request(.delete, "/api/v1/schedules/nightly").status == .noContent)
            let gone = try await server.json(.delete, "/api/v1/schedules/nightly", expect: .notFound)
            #expect(apiError(gone).code == "scheduleNotFound")
            #expect(try await server.json(.get, "/api/v1/schedules")["schedules"] == .array([]))
        }
    }

    @Test func metricsCountRunsAndStepsAndReportQueueDepth() async throws {
        try await ServerFixture.with { server in
            let id = try await server.trigger("demo.steps", input: #"{"count": 2}"#)
            _ = try await server.waitFor(id, status: "completed")
            let waiting = try await server.trigger("demo.approval", input: "{}")
            _ = try await server.waitFor(waiting, status: "waiting")
            let text = String(buffer: try await server.request(.get, "/metrics").body)
            #expect(text.contains(#"keel_runs_started{task="demo.steps"} 1"#))
            #expect(text.contains(#"keel_runs_completed{task="demo.steps"} 1"#))
            #expect(text.contains(#"keel_runs_failed{task="demo.steps"} 0"#))
            #expect(text.contains(#"keel_step_duration_count{task="demo.steps"} 2"#))
            #expect(text.contains(#"keel_queue_depth{queue="default",status="waiting"} 1"#))
            #expect(text.contains(#"keel_queue_depth{queue="default",status="queued"} 0"#))
            #expect(String(buffer: try await server.request(.get, "/healthz", headers: [:]).body) == #"{"status":"ok"}"#)
        }
    }
}
