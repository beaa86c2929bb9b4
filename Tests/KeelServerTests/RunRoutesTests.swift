import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
import KeelServer
import Testing

@Suite("Triggering and inspecting runs over HTTP", .timeLimit(.minutes(2)))
struct RunRoutesTests {
    @Test func triggerRunsTheTaskAndTheRunShowsItsJournal() async throws {
        try await ServerFixture.with { server in
            let tasks = try await server.json(.get, "/api/v1/tasks")
            guard case .array(let list) = tasks["tasks"] else { throw FixtureError("no tasks") }
            #expect(list.contains { $0["name"] == .string("demo.steps") && $0["version"] == .string("1") && $0["queue"] == .string("default") })

            let id = try await server.trigger("demo.steps", input: #"{"count": 3, "sleepSeconds": 0.05}"#, options: #"{"tags": ["http"]}"#)
            let run = try await server.waitFor(id, status: "completed")
            #expect(run["task"] == .string("demo.steps"))
            #expect(run["input"] == .object(["count": .integer(3), "sleepSeconds": .number(0.05)]))
            #expect(run["output"] == .object(["steps": .array([.string("step 1 of 3"), .string("step 2 of 3"), .string("step 3 of 3")])]))
            #expect(run["tags"] == .array([.string("http")]))
            guard case .array(let journal) = run["journal"] else { throw FixtureError("no journal") }
            #expect(journal.map { $0["kind"] } == ["step.completed", "sleep", "step.completed", "sleep", "step.completed"].map { .string($0) })
            #expect(journal.map { $0["sequence"] } == (0..<5).map { .integer(Int64($0)) })
            #expect(run["startedAt"] != nil && run["finishedAt"] != nil && run["attempt"] == .integer(1))
        }
    }

    @Test func badInputGetsAClearErrorWithTheRightStatus() async throws {
        try await ServerFixture.with(maximumPayloadBytes: 1_000, maximumRequestBytes: 4_000) { server in
            let malformed = try await server.json(.post, "/api/v1/tasks/demo.steps/trigger", json: "{\"input\": {\"count\": 3,}", expect: .badRequest)
            #expect(apiError(malformed).code == "malformedJSON")
            #expect(apiError(malformed).message.contains("line 1, column 23"))

            let unknown = try await server.json(.post, "/api/v1/tasks/demo.stepz/trigger", json: #"{"input": {}}"#, expect: .notFound)
            #expect(apiError(unknown).code == "unknownTask")
            #expect(apiError(unknown).message.contains("registered: demo.approval, demo.fanout"))

            let wrongShape = try await server.json(.post, "/api/v1/tasks/demo.steps/trigger", json: #"{"input": {"count": "three"}}"#, expect: .unprocessableContent)
            #expect(apiError(wrongShape).code == "invalidInput")
            #expect(apiError(wrongShape).message.contains("'count'"))

            let missing = try await server.json(.post, "/api/v1/tasks/demo.steps/trigger", json: #"{"input": {}}"#, expect: .unprocessableContent)
            #expect(apiError(missing).message.contains("missing field 'count'"))

            let badOption = try await server.json(.post, "/api/v1/tasks/demo.steps/trigger", json: #"{"input": {"count": 1}, "options": {"delay": "soon"}}"#, expect: .unprocessableContent)
            #expect(apiError(badOption).message.contains("'options.delay'"))

            let bigInput = String(repeating: "x", count: 2_000)
            let tooLarge = try await server.json(.post, "/api/v1/tasks/demo.approval/trigger", json: #"{"input": {"subject": "\#(bigInput)"}}"#, expect: .contentTooLarge)
            #expect(apiError(tooLarge).code == "payloadTooLarge")
            #expect(apiError(tooLarge).message.contains("over the limit of 1000 bytes"))

            let tooLargeBody = try await server.json(.post, "/api/v1/tasks/demo.approval/trigger", json: #"{"input": {"subject": "\#(String(repeating: "y", count: 5_000))"}}"#, expect: .contentTooLarge)
            #expect(apiError(tooLargeBody).code == "payloadTooLarge")

            let empty = try await server.json(.post, "/api/v1/tasks/demo.steps/trigger", json: "", expect: .badRequest)
            #expect(apiError(empty).code == "malformedJSON")

            let noRun = try await server.json(.get, "/api/v1/runs/0193a1b2-0000-7000-8000-000000000000", expect: .notFound)
            #expect(apiError(noRun).code == "runNotFound")
            #expect(try await server.json(.post, "/api/v1/runs/nope/cancel", expect: .notFound)["error"] != nil)
            #expect(try await server.json(.get, "/api/v1/runs/nope/events", expect: .notFound)["error"] != nil)

            let badStatus = try await server.json(.get, "/api/v1/runs?status=done", expect: .badRequest)
            #expect(apiError(badStatus).message.contains("unknown status 'done'"))
            #expect(try await server.json(.get, "/api/v1/runs?limit=0", expect: .badRequest)["error"] != nil)
            #expect(try await server.json(.get, "/api/v1/runs?cursor=abc", expect: .badRequest)["error"] != nil)
            #expect(try await server.json(.get, "/api/v1/runs?from=yesterday", expect: .badRequest)["error"] != nil)

            // Nothing was created by any of these.
            #expect(try await server.json(.get, "/api/v1/runs")["runs"] == .array([]))
        }
    }

    @Test func runsListFiltersAndPagesWithACursor() async throws {
        try await ServerFixture.with { server in
            let before = Date()
            var ids: [RunID] = []
            for index in 0..<5 {
                ids.append(try await server.trigger("demo.steps", input: #"{"count": 1}"#, options: #"{"tags": ["batch-\#(index % 2)"]}"#))
            }
            let waiting = try await server.trigger("demo.approval", input: "{}")
            for id in ids { _ = try await server.waitFor(id, status: "completed") }
            _ = try await server.waitFor(waiting, status: "waiting")

            let byTask = try await server.json(.get, "/api/v1/runs?task=demo.steps")
            guard case .array(let stepRuns) = byTask["runs"] else { throw FixtureError("no runs") }
            #expect(stepRuns.map { $0["id"] } == ids.reversed().map { .string($0.rawValue) })

            let byStatus = try await server.json(.get, "/api/v1/runs?status=waiting,queued")
            if case .array(let runs) = byStatus["runs"] {
                #expect(runs.map { $0["id"] } == [JSONValue.string(waiting.rawValue)])
            } else {
                Issue.record("no runs")
            }

            let byTag = try await server.json(.get, "/api/v1/runs?tag=batch-0")
            if case .array(let tagged) = byTag["runs"] { #expect(tagged.count == 3) } else { Issue.record("no runs") }

            let from = before.addingTimeInterval(-60).formatted(.iso8601)
            let to = before.addingTimeInterval(-30).formatted(.iso8601)
            #expect(try await server.json(.get, "/api/v1/runs?from=\(from)&to=\(to)")["runs"] == .array([]))
            if case .array(let recent) = try await server.json(.get, "/api/v1/runs?from=\(from)")["runs"] { #expect(recent.count == 6) }

            var seen: [JSONValue] = []
            var cursor: String?
            repeat {
                let page = try await server.json(.get, "/api/v1/runs?task=demo.steps&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                guard case .array(let runs) = page["runs"] else { throw FixtureError("no runs") }
                #expect(runs.count <= 2)
                seen += runs.map { $0["id"] ?? .null }
                if case .string(let next) = page["nextCursor"] { cursor = next } else { cursor = nil }
            } while cursor != nil
            #expect(seen == ids.reversed().map { .string($0.rawValue) })
        }
    }

    @Test func batchTriggerChecksEveryItemFirstAndAnswersInOrder() async throws {
        try await ServerFixture.with { server in
            let bad = try await server.json(
                .post, "/api/v1/tasks/demo.steps/batch", json: #"{"items": [{"input": {"count": 1}}, {"input": {"count": "x"}}]}"#,
                expect: .unprocessableContent
            )
            #expect(apiError(bad).message.hasPrefix("item 1:"))
            #expect(try await server.json(.get, "/api/v1/runs")["runs"] == .array([]))

            let answer = try await server.json(
                .post, "/api/v1/tasks/demo.steps/batch",
                json: #"{"items": [{"input": {"count": 1}}, {"input": {"count": 2}, "options": {"tags": ["second"]}}, {"input": {"count": 3}}]}"#
            )
            guard case .array(let ids) = answer["ids"], ids.count == 3 else { throw FixtureError("no ids: \(answer)") }
            for (index, id) in ids.enumerated() {
                guard case .string(let id) = id else { continue }
                let run = try await server.waitFor(RunID(id), status: "completed")
                if case .array(let steps) = run["output"]?["steps"] { #expect(steps.count == index + 1) }
            }
        }
    }

    @Test func cancellingAWaitingRunAndResumingARunThatIsNotParked() async throws {
        try await ServerFixture.with { server in
            let id = try await server.trigger("demo.approval", input: #"{"subject": "deploy"}"#)
            _ = try await server.waitFor(id, status: "waiting")
            let cancelled = try await server.json(.post, "/api/v1/runs/\(id)/cancel")
            #expect(cancelled["status"] == .string("cancelled"))
            if case .array(let journal) = cancelled["journal"] { #expect(journal.last?["kind"] == .string("run.cancelled")) }
            let resume = try await server.json(.post, "/api/v1/runs/\(id)/resume", expect: .conflict)
            #expect(apiError(resume).code == "invalidState")
        }
    }

    @Test func idempotencyKeyAndDelayOptionsAreHonored() async throws {
        try await ServerFixture.with { server in
            let first = try await server.trigger("demo.steps", input: #"{"count": 1}"#, options: #"{"idempotencyKey": "order-42", "delay": "1h"}"#)
            let second = try await server.trigger("demo.steps", input: #"{"count": 1}"#, options: #"{"idempotencyKey": "order-42"}"#)
            #expect(first == second)
            try await Task.sleep(for: .milliseconds(300))
            let run = try await server.json(.get, "/api/v1/runs/\(first)")
            #expect(run["status"] == .string("queued"))
            #expect(run["idempotencyKey"] == .string("order-42"))
        }
    }
}
