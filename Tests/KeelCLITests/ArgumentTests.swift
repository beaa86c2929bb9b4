import ArgumentParser
import Foundation
import Keel
import Testing

@testable import KeelCLI

@Suite(.tags(.unit))
struct DurationArgumentTests {
    @Test(arguments: [
        ("10", JSONValue.integer(10)), ("0.5", .number(0.5)), ("90", .integer(90)),
        ("500ms", .string("500ms")), ("10s", .string("10s")), ("5m", .string("5m")), ("1h", .string("1h")),
        ("2d", .string("2d")), ("1.5h", .string("1.5h")), (" 30s ", .string("30s")),
    ])
    func acceptedDurationsPassThrough(text: String, expected: JSONValue) throws {
        #expect(try DurationArgument.parse(text, option: "--delay") == expected)
    }

    @Test(arguments: ["", "10x", "s", "ms", "1.2.3s", "-", "5 m", "ten", "1e3", "1w"])
    func rejectedDurationsNameTheOption(text: String) {
        #expect {
            try DurationArgument.parse(text, option: "--ttl")
        } throws: { error in
            let message = (error as? ClientError)?.message ?? ""
            return message.hasPrefix("--ttl '\(text)' is not a duration") && message.contains("10s")
        }
    }
}

@Suite(.tags(.unit))
struct JSONArgumentTests {
    @Test func parsesInlineJSON() throws {
        let value = try JSONArgument.parse(#"{"count": 3, "name": "x", "nested": [1, 2.5, null, true]}"#, option: "--input")
        #expect(value == .object(["count": .integer(3), "name": .string("x"), "nested": .array([.integer(1), .number(2.5), .null, .bool(true)])]))
    }

    @Test func parsesFragments() throws {
        #expect(try JSONArgument.parse("42", option: "--payload") == .integer(42))
        #expect(try JSONArgument.parse(#""yes""#, option: "--payload") == .string("yes"))
    }

    @Test func readsAFileAfterAt() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keel-cli-\(UUID().uuidString).json")
        try Data(#"{"count": 2}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try JSONArgument.parse("@\(url.path)", option: "--input") == .object(["count": .integer(2)]))
    }

    @Test func readsStandardInputForAtDash() throws {
        let value = try JSONArgument.parse("@-", option: "--payload", readStandardInput: { Data(#"{"ok": true}"#.utf8) })
        #expect(value == .object(["ok": .bool(true)]))
    }

    @Test func missingFileIsOneLine() {
        #expect(throws: ClientError("--input: cannot read '/nonexistent/keel.json': no such file")) {
            try JSONArgument.parse("@/nonexistent/keel.json", option: "--input")
        }
    }

    @Test(arguments: [
        ("{bad", "unexpected 'b' where a quoted key was expected at line 1, column 2"),
        ("{\"a\": 1,\n \"b\": tru}", "unexpected '}' in 'true' at line 2, column 10"),
        ("[1, 2", "unexpected end of text at line 1, column 6"),
        (#"{"a": 1} x"#, "unexpected 'x' after the value at line 1, column 10"),
        (#"{"a": 01}"#, "unexpected '1' after a leading zero at line 1, column 8"),
        (#"{"a" 1}"#, "unexpected '1' where ':' was expected at line 1, column 6"),
        (#"["é"#, "the string starting at line 1, column 2 is not closed"),
        ("", "it is empty"),
        ("  \n", "it is empty"),
    ])
    func malformedJSONSaysWhere(text: String, reason: String) {
        #expect(throws: ClientError("--input is not valid JSON: \(reason)")) {
            try JSONArgument.parse(text, option: "--input")
        }
    }

    @Test(arguments: [#"{"a": [1, {"b": "c\"d"}], "e": -1.5e3}"#, "true", "null", #""\u00e9""#, "[]", "{}"])
    func syntaxCheckAcceptsValidJSON(text: String) throws {
        #expect(JSONSyntaxCheck.firstError(in: Array(text.utf8)) == nil)
        _ = try JSONArgument.parse(text, option: "--input")
    }
}

@Suite(.tags(.unit))
struct ClientOptionsAndRequestTests {
    @Test func urlAndKeyComeFromFlagsThenEnvironmentThenDefault() throws {
        var options = try ClientOptions.parse([])
        #expect(options.resolvedURL(environment: [:]) == "http://127.0.0.1:7400")
        #expect(options.resolvedAPIKey(environment: [:]) == nil)
        #expect(options.resolvedURL(environment: ["KEEL_URL": "http://env:1"]) == "http://env:1")
        #expect(options.resolvedAPIKey(environment: ["KEEL_API_KEY": "env-key"]) == "env-key")
        options.url = "http://flag:2"
        options.apiKey = "flag-key"
        #expect(options.resolvedURL(environment: ["KEEL_URL": "http://env:1"]) == "http://flag:2")
        #expect(options.resolvedAPIKey(environment: ["KEEL_API_KEY": "env-key"]) == "flag-key")
    }

    @Test func baseURLIsCheckedAndLosesItsTrailingSlash() throws {
        #expect(try KeelAPIClient.validatedBaseURL("http://127.0.0.1:7400/") == "http://127.0.0.1:7400")
        #expect(try KeelAPIClient.validatedBaseURL("https://keel.example.com/base") == "https://keel.example.com/base")
        #expect(throws: ClientError("--url 'localhost:7400' is not an http:// or https:// URL")) {
            try KeelAPIClient.validatedBaseURL("localhost:7400")
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encode("demo.steps") == "demo.steps")
        #expect(PercentEncoding.encode("a/b c+d?é") == "a%2Fb%20c%2Bd%3F%C3%A9")
        #expect(PercentEncoding.query([("status", "queued,running"), ("tag", "a&b")]) == "?status=queued%2Crunning&tag=a%26b")
        #expect(PercentEncoding.query([]) == "")
    }

    @Test func triggerArgumentsBecomeTheRequestBody() throws {
        let command = try TriggerCommand.parse([
            "demo.steps", "--input", #"{"count": 2}"#, "--idempotency-key", "k1", "--delay", "10s", "--priority", "90",
            "--ttl", "1h", "--queue", "q", "--concurrency-key", "c", "--tag", "a", "--tag", "b",
        ])
        let request = try command.request()
        #expect(request.input == .object(["count": .integer(2)]))
        let expected = TriggerRequest.Options(
            idempotencyKey: "k1",
            delay: .string("10s"),
            queue: "q",
            concurrencyKey: "c",
            priority: .integer(90),
            tags: ["a", "b"],
            ttl: .string("1h")
        )
        #expect(request.options == expected)
    }

    @Test func triggerWithoutOptionsSendsEmptyInputAndNoOptions() throws {
        let request = try TriggerCommand.parse(["demo.steps"]).request()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(request), as: UTF8.self) == #"{"input":{}}"#)
    }

    @Test func runsListOptionsBecomeTheQuery() throws {
        let command = try RunsListCommand.parse([
            "--status", "failed, cancelled", "--task", "demo.steps", "--tag", "t", "--limit", "5", "--cursor", "c",
        ])
        #expect(command.query.map { "\($0.name)=\($0.value)" } == ["task=demo.steps", "status=failed,cancelled", "tag=t", "limit=5", "cursor=c"])
    }
}
