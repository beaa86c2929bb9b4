import Foundation
import Testing

/// The `keel` client commands against a real `keel dev` server, both as subprocesses, over loopback.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.endToEnd))
struct ClientEndToEndTests {
    @Test func triggerWaitThenShowTheCompletedRunAndItsJournal() async throws {
        try await DevServer.with { server in
            // Given a completed demo.steps run
            let trigger = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 2}"#, "--wait")
            expectSuccess(trigger)
            let runID = try #require(trigger.lines.first)
            #expect(trigger.lines.dropFirst().first == #"{"steps":["step 1 of 2","step 2 of 2"]}"#, "\(trigger)")

            // When it is shown
            let show = try await server.keel("runs", "show", runID)

            // Then it is completed and its journal has both steps
            expectSuccess(show)
            let lines = show.lines
            #expect(lines.contains { $0.hasPrefix("Status:") && $0.hasSuffix(" completed") }, "\(show)")
            #expect(lines.contains { $0.hasPrefix("Task:") && $0.contains("demo.steps") }, "\(show)")
            #expect(lines.contains { $0.hasPrefix("Output:") && $0.contains("step 2 of 2") }, "\(show)")
            let journalStart = try #require(lines.firstIndex(of: "Journal:"), "\(show)")
            let rows = lines[(journalStart + 2)...]
            #expect(rows.count == 2, "\(show)")
            #expect(rows.allSatisfy { $0.contains("step.completed") }, "\(show)")
            let sequences = rows.compactMap { $0.split(separator: " ").first.flatMap { Int($0) } }
            #expect(sequences.count == 2 && sequences.last == sequences.first.map { $0 + 1 }, "\(show)")
        }
    }

    @Test func jsonOutputIsTheServersJSON() async throws {
        try await DevServer.with { server in
            let trigger = try await server.keel("trigger", "demo.flaky", "--input", #"{"failures": 1}"#, "--json")
            expectSuccess(trigger)
            let runID = try #require(try jsonObject(trigger)["id"] as? String)

            let waited = try await server.keel("runs", "watch", runID)
            expectSuccess(waited)

            let show = try await server.keel("runs", "show", runID, "--json")
            expectSuccess(show)
            let run = try jsonObject(show)
            #expect(run["id"] as? String == runID)
            #expect(run["status"] as? String == "completed")
            #expect((run["output"] as? [String: Any])?["succeededOnAttempt"] as? Int == 2)
            let kinds = (run["journal"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["step.attempt_failed", "step.completed"], "\(show)")

            let list = try await server.keel("runs", "list", "--json")
            expectSuccess(list)
            let runs = try #require(try jsonObject(list)["runs"] as? [[String: Any]])
            #expect(runs.compactMap { $0["id"] as? String } == [runID])

            let schedules = try await server.keel("schedules", "list", "--json")
            expectSuccess(schedules)
            #expect(try jsonObject(schedules)["schedules"] is [Any])
        }
    }

    @Test func flagsWorkWithoutTheEnvironment() async throws {
        try await DevServer.with { server in
            let result = try await KeelProcess.run(["runs", "list", "--url", server.url, "--api-key", DevServer.apiKey])
            expectSuccess(result)
            #expect(result.stdout == "no runs\n")
        }
    }

    @Test func runsListFiltersByTaskStatusAndTagAndPages() async throws {
        try await DevServer.with { server in
            // Given two completed demo.steps runs, one tagged, and a failed demo.steps run and a demo.flaky run
            let first = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 1}"#, "--tag", "nightly", "--wait")
            let second = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 1}"#, "--wait")
            let failed = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 0}"#, "--wait")
            let flaky = try await server.keel("trigger", "demo.flaky", "--input", #"{"failures": 0}"#, "--wait")
            expectSuccess(first)
            expectSuccess(second)
            expectSuccess(flaky)
            #expect(failed.status == 1, "\(failed)")
            let ids = try [first, second, failed, flaky].map { try #require($0.lines.first) }

            // Then the table lists them newest first, and the filters narrow it
            let all = try await server.keel("runs", "list")
            expectSuccess(all)
            #expect(all.lines.first?.hasPrefix("ID") == true, "\(all)")
            #expect(all.lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) } == ids.reversed(), "\(all)")

            let byTask = try await server.keel("runs", "list", "--task", "demo.flaky")
            expectSuccess(byTask)
            #expect(byTask.lines.count == 2, "\(byTask)")
            #expect(byTask.lines.last?.hasPrefix(ids[3]) == true, "\(byTask)")
            #expect(byTask.lines.last?.contains("completed") == true, "\(byTask)")

            let byStatus = try await server.keel("runs", "list", "--status", "failed,cancelled", "--task", "demo.steps")
            expectSuccess(byStatus)
            #expect(byStatus.lines.dropFirst().map { String($0.prefix(ids[2].count)) } == [ids[2]], "\(byStatus)")
            #expect(byStatus.lines.last?.contains(" failed ") == true, "\(byStatus)")

            let byTag = try await server.keel("runs", "list", "--tag", "nightly")
            #expect(byTag.lines.dropFirst().map { String($0.prefix(ids[0].count)) } == [ids[0]], "\(byTag)")
            #expect(byTag.lines.last?.hasSuffix("nightly") == true, "\(byTag)")

            let none = try await server.keel("runs", "list", "--status", "queued")
            expectSuccess(none)
            #expect(none.stdout == "no runs\n")

            // And pages continue from the printed cursor
            let page1 = try await server.keel("runs", "list", "--limit", "3")
            expectSuccess(page1)
            let cursorLine = try #require(page1.lines.last, "\(page1)")
            #expect(cursorLine.hasPrefix("next cursor: "), "\(page1)")
            let page2 = try await server.keel("runs", "list", "--limit", "3", "--cursor", String(cursorLine.dropFirst("next cursor: ".count)))
            expectSuccess(page2)
            #expect(page2.lines.dropFirst().map { String($0.prefix(ids[0].count)) } == [ids[0]], "\(page2)")

            let badStatus = try await server.keel("runs", "list", "--status", "sleeping")
            expectOneLineError(badStatus, containing: ["sleeping", "400"])
        }
    }

    @Test func watchPrintsEventsInOrderAndExitsZero() async throws {
        try await DevServer.with { server in
            let trigger = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 3, "sleepSeconds": 0.3}"#)
            expectSuccess(trigger)
            let runID = try #require(trigger.lines.first)
            #expect(trigger.lines.count == 1)

            let watch = try await server.keel("runs", "watch", runID)
            expectSuccess(watch)
            let lines = watch.lines
            #expect(lines.first?.contains("run \(runID) demo.steps:") == true, "\(watch)")
            #expect(lines.last?.hasSuffix("end completed") == true, "\(watch)")
            let journal = lines.compactMap { line -> (Int, String)? in
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 3, parts[1].hasPrefix("#"), let sequence = Int(parts[1].dropFirst()) else { return nil }
                return (sequence, String(parts[2]))
            }
            let first = try #require(journal.first?.0, "\(watch)")
            #expect(journal.map(\.0) == Array(first..<(first + journal.count)), "journal entries in order: \(watch)")
            #expect(journal.filter { $0.1 == "step.completed" }.count == 3, "\(watch)")
            #expect(journal.filter { $0.1 == "sleep" }.count == 2, "\(watch)")
            #expect(journal.count == 5, "three steps and two sleeps: \(watch)")
            #expect(lines.dropFirst().dropLast().allSatisfy { $0.contains("  #") || $0.contains("  status ") }, "\(watch)")

            // Watching a finished run replays it and ends at once
            let again = try await server.keel("runs", "watch", runID, "--json")
            expectSuccess(again)
            let events = try again.lines.map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            }
            #expect(events.first?["event"] as? String == "run")
            #expect(events.last?["event"] as? String == "end")
            #expect(events.filter { $0["event"] as? String == "journal" }.count == journal.count)
            #expect(events.compactMap { $0["id"] as? String } == (1...events.count).map(String.init))
        }
    }

    @Test func watchStreamsLinesAsTheyHappenUntilTheTokenIsCompleted() async throws {
        try await DevServer.with { server in
            // Given a watch of a demo.approval run, its output going to a file
            let trigger = try await server.keel("trigger", "demo.approval")
            let runID = try #require(trigger.lines.first, "\(trigger)")
            let watch = try server.start("runs", "watch", runID)

            // Then the token.created line arrives while the run waits (unbuffered output)
            let token = try await eventually("the token.created line of the watch") { () -> String? in
                // `… #0 token.created token  {"id":"tok_…","timeoutAt":…}`
                guard let line = watch.stdout.split(separator: "\n").first(where: { $0.contains(" token.created") }),
                    let start = line.range(of: #"{"id":""#)
                else { return nil }
                return String(line[start.upperBound...].prefix { $0 != "\"" })
            }
            #expect(watch.isRunning)

            // When the token is completed, the watch ends with exit code 0
            let complete = try await server.keel("tokens", "complete", token)
            expectSuccess(complete)
            let result = try await watch.finish()
            expectSuccess(result)
            #expect(result.lines.contains { $0.contains(" wait.completed") }, "\(result)")
            #expect(result.lines.last?.hasSuffix("end completed") == true, "\(result)")
        }
    }

    @Test func completingTheTokenFinishesAnApprovalRun() async throws {
        try await DevServer.with { server in
            // Given a demo.approval run waiting on its token
            let trigger = try await server.keel("trigger", "demo.approval", "--input", #"{"subject": "deploy"}"#)
            expectSuccess(trigger)
            let runID = try #require(trigger.lines.first)
            let token = try await eventually("the token.created entry of \(runID)") { () -> String? in
                let show = try await server.keel("runs", "show", runID, "--json")
                let journal = try jsonObject(show)["journal"] as? [[String: Any]] ?? []
                let created = journal.first { $0["kind"] as? String == "token.created" }
                return (created?["payload"] as? [String: Any])?["id"] as? String
            }

            // When the token is completed with a payload read from standard input
            let complete = try await server.keel("tokens", "complete", token, "--payload", "@-", standardInput: #"{"approved": true}"#)
            expectSuccess(complete)
            #expect(complete.stdout.contains(token), "\(complete)")

            // Then the run completes with it
            let watch = try await server.keel("runs", "watch", runID)
            expectSuccess(watch)
            let show = try await server.keel("runs", "show", runID, "--json")
            let output = try #require(try jsonObject(show)["output"] as? [String: Any], "\(show)")
            #expect(output["token"] as? String == token)
            #expect((output["payload"] as? [String: Any])?["approved"] as? Bool == true)

            // And the token cannot be completed twice
            let twice = try await server.keel("tokens", "complete", token)
            expectOneLineError(twice, containing: ["409"])
        }
    }

    @Test func cancelStopsAWaitingRunAndWatchExitsOne() async throws {
        try await DevServer.with { server in
            let trigger = try await server.keel("trigger", "demo.approval")
            let runID = try #require(trigger.lines.first, "\(trigger)")

            let cancel = try await server.keel("runs", "cancel", runID)
            expectSuccess(cancel)
            #expect(cancel.stdout == "run \(runID): cancelled\n")

            let watch = try await server.keel("runs", "watch", runID)
            #expect(watch.status == 1, "\(watch)")
            #expect(watch.lines.last?.contains("end cancelled") == true, "\(watch)")
            #expect(watch.lines.contains { $0.contains(" run.cancelled") }, "\(watch)")
            #expect(watch.stderr.hasPrefix("error: run \(runID) cancelled"), "\(watch)")
            #expect(watch.stderr.split(separator: "\n").count == 1, "\(watch)")

            let show = try await server.keel("runs", "show", runID)
            #expect(show.lines.contains { $0.hasPrefix("Status:") && $0.hasSuffix(" cancelled") }, "\(show)")
        }
    }

    @Test func failedRunExitsOneWithItsError() async throws {
        try await DevServer.with { server in
            let trigger = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 0}"#, "--wait")
            #expect(trigger.status == 1, "\(trigger)")
            let runID = try #require(trigger.lines.first, "\(trigger)")
            #expect(trigger.lines.count == 1, "only the id on stdout: \(trigger)")
            let errorLines = trigger.stderr.split(separator: "\n")
            #expect(errorLines.count == 1, "\(trigger)")
            #expect(trigger.stderr.hasPrefix("error: run \(runID) failed: "), "\(trigger)")
            #expect(trigger.stderr.contains("count must be between 1 and 1000"), "\(trigger)")

            let watch = try await server.keel("runs", "watch", runID)
            #expect(watch.status == 1, "\(watch)")
            #expect(watch.lines.last?.contains("end failed") == true, "\(watch)")
        }
    }

    @Test func idempotencyKeyGivesTheSameRun() async throws {
        try await DevServer.with { server in
            let first = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 1}"#, "--idempotency-key", "order-42")
            let second = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 1}"#, "--idempotency-key", "order-42")
            expectSuccess(first)
            expectSuccess(second)
            #expect(first.stdout == second.stdout)
            let delayed = try await server.keel(
                "trigger",
                "demo.steps",
                "--input",
                #"{"count": 1}"#,
                "--delay",
                "1h",
                "--ttl",
                "2h",
                "--priority",
                "5"
            )
            expectSuccess(delayed)
            let list = try await server.keel("runs", "list", "--status", "queued")
            #expect(list.lines.dropFirst().first?.hasPrefix(try #require(delayed.lines.first)) == true, "\(list)")
        }
    }

    @Test func schedulesCreateListDelete() async throws {
        try await DevServer.with { server in
            let create = try await server.keel(
                "schedules",
                "create",
                "--id",
                "nightly",
                "--task",
                "demo.steps",
                "--cron",
                "0 3 * * *",
                "--timezone",
                "Europe/Paris",
                "--input",
                #"{"count": 1}"#
            )
            expectSuccess(create)
            #expect(create.stdout.hasPrefix(#"schedule nightly: demo.steps at "0 3 * * *" Europe/Paris; next run "#), "\(create)")

            let list = try await server.keel("schedules", "list")
            expectSuccess(list)
            let row = try #require(list.lines.first { $0.hasPrefix("nightly ") }, "\(list)")
            #expect(row.contains("demo.steps") && row.contains("0 3 * * *") && row.contains("Europe/Paris") && row.hasSuffix("api"), "\(row)")

            let json = try await server.keel("schedules", "list", "--json")
            let schedules = try #require(try jsonObject(json)["schedules"] as? [[String: Any]])
            let nightly = try #require(schedules.first { $0["id"] as? String == "nightly" })
            #expect((nightly["input"] as? [String: Any])?["count"] as? Int == 1)

            let badCron = try await server.keel("schedules", "create", "--id", "bad", "--task", "demo.steps", "--cron", "not a cron")
            expectOneLineError(badCron, containing: ["422"])

            let delete = try await server.keel("schedules", "delete", "nightly")
            expectSuccess(delete)
            #expect(delete.stdout == "schedule nightly: deleted\n")
            let after = try await server.keel("schedules", "list")
            #expect(!after.lines.contains { $0.hasPrefix("nightly ") }, "\(after)")

            let again = try await server.keel("schedules", "delete", "nightly")
            expectOneLineError(again, containing: ["404", "scheduleNotFound"])
        }
    }

    @Test func eventsSendReportsTheWaitingRuns() async throws {
        try await DevServer.with { server in
            let send = try await server.keel("events", "send", "nobody-waits", "--payload", #"{"x": 1}"#)
            expectSuccess(send)
            #expect(send.stdout == "event nobody-waits: no run was waiting for it\n")
            let json = try await server.keel("events", "send", "nobody-waits", "--json")
            expectSuccess(json)
            #expect((try jsonObject(json)["runs"] as? [Any])?.isEmpty == true)
        }
    }
}
