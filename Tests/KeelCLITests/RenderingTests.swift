import Foundation
import Keel
import Testing

@testable import KeelCLI

@Suite(.tags(.unit))
struct TextTableTests {
    @Test func columnsArePaddedToTheWidestCellWithoutTrailingSpaces() {
        var table = TextTable(columns: ["ID", "STATUS", "TAGS"])
        table.append(["r-1", "completed", ""])
        table.append(["run-22", "failed", "a,b"])
        #expect(
            table.rendered() == """
                ID      STATUS     TAGS
                r-1     completed
                run-22  failed     a,b
                """
        )
    }

    @Test func shortRowsArePaddedAndLineBreaksFolded() {
        var table = TextTable(columns: ["A", "B"])
        table.append(["x"])
        table.append(["two\nlines", "y", "dropped"])
        #expect(table.rendered() == "A          B\nx\ntwo lines  y")
    }

    @Test func widthCountsCharactersNotBytes() {
        var table = TextTable(columns: ["NAME", "X"])
        table.append(["étapé", "1"])
        #expect(table.rendered() == "NAME   X\nétapé  1")
    }
}

@Suite(.tags(.unit))
struct DisplayFormatTests {
    @Test(
        arguments: [(0.25, "250ms"), (4.2, "4.2s"), (303, "5m03s"), (7500, "2h05m"), (3 * 86_400 + 4 * 3600, "3d04h"), (-1, "0ms")]
            as [(Double, String)]
    )
    func durations(seconds: Double, text: String) {
        #expect(DisplayFormat.duration(seconds: seconds) == text)
    }

    @Test func timesFromAPIDates() {
        #expect(DisplayFormat.timestamp("2026-12-01T10:00:00.123Z") == "2026-12-01 10:00:00")
        #expect(DisplayFormat.timestamp("2026-12-01T10:00:00Z") == "2026-12-01 10:00:00")
        #expect(DisplayFormat.timestamp(nil) == "-")
        #expect(DisplayFormat.timeOfDay("2026-12-01T10:00:01.042Z") == "10:00:01.042")
        #expect(DisplayFormat.duration(from: "2026-12-01T10:00:00.000Z", to: "2026-12-01T10:00:01.500Z") == "1.5s")
        #expect(DisplayFormat.duration(from: nil, to: "2026-12-01T10:00:01.500Z") == "-")
    }

    @Test func jsonIsCompactWithSortedKeysAndTruncated() {
        #expect(DisplayFormat.json(.object(["b": .integer(1), "a": .string("x/y")])) == #"{"a":"x/y","b":1}"#)
        #expect(DisplayFormat.truncated("abcdefghij", to: 5) == "abcd…")
        #expect(DisplayFormat.truncated("abc", to: 5) == "abc")
    }
}

@Suite(.tags(.unit))
struct RunRenderingTests {
    static let runJSON = """
        {"attempt":1,"concurrencyKey":null,"createdAt":"2026-12-01T10:00:00.000Z","finishedAt":"2026-12-01T10:00:02.500Z",
         "id":"3f6c","idempotencyKey":"k","input":{"count":2},"output":{"steps":["step 1 of 2","step 2 of 2"]},
         "journal":[
          {"attempt":1,"kind":"step.completed","name":"step","payload":"step 1 of 2","position":0,
           "recordedAt":"2026-12-01T10:00:00.100Z","sequence":1},
          {"attempt":1,"kind":"sleep","name":"sleep","position":1,"recordedAt":"2026-12-01T10:00:00.110Z","sequence":2,
           "wakeAt":"2026-12-01T10:00:01.110Z"},
          {"attempt":2,"error":{"message":"boom","retryable":true,"type":"FlakyServiceError"},"kind":"step.attempt_failed","name":"call",
           "position":2,"recordedAt":"2026-12-01T10:00:02.000Z","sequence":3}
         ],
         "parentId":null,"queue":"default","startedAt":"2026-12-01T10:00:00.050Z","status":"completed","tags":["a","b"],"task":"demo.steps",
         "updatedAt":"2026-12-01T10:00:02.500Z","version":"1"}
        """

    @Test func runsShowHasFieldsAndJournalTable() throws {
        let run = try JSONDecoder().decode(RunDetail.self, from: Data(Self.runJSON.utf8))
        let text = RunsShowCommand.render(run)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func field(_ name: String, _ value: String) -> Bool {
            lines.contains { $0.hasPrefix("\(name):") && String($0.dropFirst(name.count + 1)).trimmingWhitespace() == value }
        }
        #expect(field("Run", "3f6c"))
        #expect(field("Task", "demo.steps (version 1)"))
        #expect(field("Idempotency key", "k"))
        #expect(lines.contains { $0.hasPrefix("Status:") && $0.hasSuffix(" completed") })
        #expect(lines.contains { $0.hasPrefix("Duration:") && $0.hasSuffix(" 2.5s") })
        #expect(lines.contains { $0.hasPrefix("Input:") && $0.hasSuffix(#" {"count":2}"#) })
        #expect(lines.contains { $0.hasPrefix("Output:") && $0.hasSuffix(#" {"steps":["step 1 of 2","step 2 of 2"]}"#) })
        #expect(lines.contains { $0.hasPrefix("Tags:") && $0.hasSuffix(" a, b") })
        let journalStart = try #require(lines.firstIndex(of: "Journal:"))
        #expect(
            Array(lines[(journalStart + 1)...]) == [
                "SEQ  POS  KIND                 NAME   ATTEMPT  PAYLOAD / ERROR",
                #"1    0    step.completed       step   1        "step 1 of 2""#,
                "2    1    sleep                sleep  1        until 2026-12-01 10:00:01",
                "3    2    step.attempt_failed  call   2        error: FlakyServiceError: boom",
            ]
        )
    }

    @Test func runsListTableAndCursor() throws {
        let page = try JSONDecoder().decode(
            RunPage.self,
            from: Data(
                """
                {"nextCursor":"c-1","runs":[
                 {"attempt":1,"createdAt":"2026-12-01T10:00:00.000Z","finishedAt":"2026-12-01T10:00:00.750Z","id":"r1","queue":"default",
                  "startedAt":"2026-12-01T10:00:00.000Z","status":"completed","tags":["x"],"task":"demo.steps",
                  "updatedAt":"2026-12-01T10:00:00.750Z","version":"1"},
                 {"attempt":2,"createdAt":"2026-12-01T09:00:00.000Z","id":"r2","queue":"default","status":"queued","tags":[],"task":"demo.flaky",
                  "updatedAt":"2026-12-01T09:00:00.000Z","version":"1"}]}
                """.utf8
            )
        )
        #expect(
            RunsListCommand.render(page) == """
                ID  TASK        STATUS     CREATED (UTC)        DURATION  ATTEMPT  TAGS
                r1  demo.steps  completed  2026-12-01 10:00:00  750ms     1        x
                r2  demo.flaky  queued     2026-12-01 09:00:00  -         2

                next cursor: c-1
                """
        )
        #expect(RunsListCommand.render(RunPage(runs: [], nextCursor: nil)) == "no runs")
    }

    @Test func watchLinesFollowTheStream() throws {
        func run(_ status: String, at second: Int, event: String = "run") -> ServerSentEvent {
            let data = #"{"id":"r1","task":"demo.steps","status":"\#(status)","attempt":1,"updatedAt":"2026-12-01T10:00:0\#(second).000Z"}"#
            return ServerSentEvent(event: event, data: data)
        }
        let journal = ServerSentEvent(
            event: "journal",
            data: #"{"sequence":1,"kind":"step.completed","name":"step","attempt":1,"payload":"step 1 of 1","recordedAt":"2026-12-01T10:00:02.000Z"}"#
        )
        var formatter = RunEventFormatter()
        var lines: [String] = []
        let events = [
            run("queued", at: 0), run("running", at: 1), run("running", at: 1), journal, run("completed", at: 3),
            run("completed", at: 3, event: "end"),
        ]
        for event in events { lines += try formatter.lines(for: event) }
        #expect(
            lines == [
                "10:00:00.000  run r1 demo.steps: queued",
                "10:00:01.000  status running (attempt 1)",
                #"10:00:02.000  #1 step.completed step  "step 1 of 1""#,
                "10:00:03.000  status completed",
                "10:00:03.000  end completed",
            ]
        )
    }

    @Test func watchJSONLinesEmbedTheData() {
        let line = RunsWatchCommand.jsonLine(ServerSentEvent(event: "journal", data: #"{"sequence":1}"#, id: "2"))
        #expect(line == #"{"event":"journal","id":"2","data":{"sequence":1}}"#)
        #expect(RunsWatchCommand.jsonLine(ServerSentEvent(event: "x", data: "not json")) == #"{"event":"x","id":null,"data":"not json"}"#)
    }

    @Test func apiErrorsKeepTheServersMessage() {
        let body = Array(#"{"error":{"code":"unknownTask","message":"unknown task 'x'; registered: demo.steps"}}"#.utf8)
        #expect(
            KeelAPIClient.apiError(status: 404, reason: "Not Found", body: body, sentAPIKey: true)
                == ClientError("unknown task 'x'; registered: demo.steps (HTTP 404 Not Found, unknownTask)")
        )
        let unauthorized = Array(#"{"error":{"code":"unauthorized","message":"missing API key"}}"#.utf8)
        #expect(
            KeelAPIClient.apiError(status: 401, reason: "Unauthorized", body: unauthorized, sentAPIKey: false)
                == ClientError("missing API key (HTTP 401 Unauthorized, unauthorized); pass --api-key or set KEEL_API_KEY")
        )
        #expect(
            KeelAPIClient.apiError(status: 502, reason: "Bad Gateway", body: Array("<html>\nproxy\n</html>".utf8), sentAPIKey: true)
                == ClientError("the server answered HTTP 502 Bad Gateway: <html> proxy </html>")
        )
    }

    @Test func errorsDecodeAsObjectsOrStrings() throws {
        let object = try JSONDecoder().decode(ReportedError.self, from: Data(#"{"type":"AbortRunError","message":"no"}"#.utf8))
        #expect(object.description == "AbortRunError: no")
        let text = try JSONDecoder().decode(ReportedError.self, from: Data(#""plain""#.utf8))
        #expect(text.description == "plain")
    }
}
