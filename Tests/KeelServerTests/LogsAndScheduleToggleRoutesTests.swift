import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
import Testing

@Suite("Run logs and schedule toggles over HTTP", .timeLimit(.minutes(2)))
struct LogsAndScheduleToggleRoutesTests {
    @Test func aRunsLogLinesAreListedInOrderAndPaged() async throws {
        try await ServerFixture.with { server in
            let id = try await server.trigger("demo.steps", input: #"{"count": 3}"#)
            _ = try await server.waitFor(id, status: "completed")
            let answer = try await server.json(.get, "/api/v1/runs/\(id)/logs")
            guard case .array(let lines) = answer["logs"] else { throw FixtureError("no logs in \(answer)") }
            #expect(lines.map { $0["message"] } == (1...3).map { .string("finished step \($0) of 3") })
            #expect(lines.map { $0["sequence"] } == [.integer(0), .integer(1), .integer(2)])
            #expect(lines.first?["level"] == .string("info"))
            #expect(lines.first?["metadata"]?["keel.step.index"] == .string("1"))
            #expect(lines.first?["metadata"]?["keel.run.id"] == nil)  // implicit on every line
            let page = try await server.json(.get, "/api/v1/runs/\(id)/logs?after=0&limit=1")
            if case .array(let rest) = page["logs"] { #expect(rest.map { $0["sequence"] } == [.integer(1)]) }

            #expect(apiError(try await server.json(.get, "/api/v1/runs/\(id)/logs?after=x", expect: .badRequest)).code == "invalidRequest")
            #expect(apiError(try await server.json(.get, "/api/v1/runs/\(id)/logs?limit=0", expect: .badRequest)).code == "invalidRequest")
            #expect(apiError(try await server.json(.get, "/api/v1/runs/01a00000-0000-7000-8000-000000000000/logs", expect: .notFound)).code == "runNotFound")
        }
    }

    @Test func schedulesAreDisabledAndEnabled() async throws {
        try await ServerFixture.with { server in
            _ = try await server.json(
                .post, "/api/v1/schedules", json: #"{"id": "nightly", "task": "demo.steps", "cron": "0 3 * * *", "input": {"count": 1}}"#, expect: .created
            )
            let disabled = try await server.json(.post, "/api/v1/schedules/nightly/disable")
            #expect(disabled["enabled"] == .bool(false))
            let listed = try await server.json(.get, "/api/v1/schedules")
            if case .array(let schedules) = listed["schedules"] { #expect(schedules.first?["enabled"] == .bool(false)) }
            let enabled = try await server.json(.post, "/api/v1/schedules/nightly/enable")
            #expect(enabled["enabled"] == .bool(true))
            #expect(enabled["nextRunAt"] != nil)
            #expect(apiError(try await server.json(.post, "/api/v1/schedules/missing/enable", expect: .notFound)).code == "scheduleNotFound")
        }
    }
}
