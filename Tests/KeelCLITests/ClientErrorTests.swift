import Foundation
import Testing

/// Every client error is one line on standard error and a non-zero exit, never a crash.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.endToEnd))
struct ClientErrorTests {
    @Test func errorsAgainstARunningServer() async throws {
        try await DevServer.with { server in
            // A wrong key
            let wrongKey = try await KeelProcess.run(["runs", "list"], environment: ["KEEL_URL": server.url, "KEEL_API_KEY": "wrong"])
            expectOneLineError(wrongKey, containing: ["401", "unauthorized"])

            // No key at all
            let noKey = try await KeelProcess.run(["runs", "list", "--url", server.url])
            expectOneLineError(noKey, containing: ["401", "unauthorized", "--api-key"])

            // An unknown task: the message lists the registered ones
            let unknownTask = try await server.keel("trigger", "demo.nope")
            expectOneLineError(unknownTask, containing: ["demo.nope", "404", "demo.steps", "demo.approval", "demo.fanout", "demo.flaky"])

            // Malformed --input never reaches the server
            let malformed = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 3"#)
            expectOneLineError(malformed, containing: ["--input is not valid JSON: unexpected end of text at line 1, column 12"])

            // Valid JSON that is not the task's input
            let invalidInput = try await server.keel("trigger", "demo.steps", "--input", #"{"count": "three"}"#)
            expectOneLineError(invalidInput, containing: ["422", "count"])

            // A bad duration
            let badDelay = try await server.keel("trigger", "demo.steps", "--delay", "soon")
            expectOneLineError(badDelay, containing: ["--delay 'soon' is not a duration"])

            // A missing input file
            let missingFile = try await server.keel("trigger", "demo.steps", "--input", "@/nonexistent/input.json")
            expectOneLineError(missingFile, containing: ["--input: cannot read '/nonexistent/input.json': no such file"])

            // Unknown run ids, for every command that takes one
            let unknownRun = "00000000-0000-0000-0000-000000000000"
            for command in [["runs", "show"], ["runs", "watch"], ["runs", "cancel"], ["runs", "resume"]] {
                let result = try await server.keel(command + [unknownRun])
                expectOneLineError(result, containing: ["404", "runNotFound"])
            }

            // An unknown token
            let unknownToken = try await server.keel("tokens", "complete", "no-such-token")
            expectOneLineError(unknownToken, containing: ["404", "tokenNotFound"])

            // Resuming a run that is not parked
            let trigger = try await server.keel("trigger", "demo.steps", "--input", #"{"count": 1}"#, "--wait")
            let runID = try #require(trigger.lines.first, "\(trigger)")
            let resume = try await server.keel("runs", "resume", runID)
            expectOneLineError(resume, containing: ["409"])
        }
    }

    @Test func unreachableServer() async throws {
        let result = try await KeelProcess.run(["runs", "list"], environment: ["KEEL_URL": "http://127.0.0.1:1", "KEEL_API_KEY": "k"])
        expectOneLineError(result, containing: ["cannot connect to http://127.0.0.1:1"])
        let watch = try await KeelProcess.run(["runs", "watch", "r", "--url", "http://127.0.0.1:1"])
        expectOneLineError(watch, containing: ["cannot connect to http://127.0.0.1:1"])
        let trigger = try await KeelProcess.run(["trigger", "demo.steps", "--wait", "--url", "http://127.0.0.1:1/"])
        expectOneLineError(trigger, containing: ["cannot connect to http://127.0.0.1:1"])
    }

    @Test func notAURL() async throws {
        let result = try await KeelProcess.run(["schedules", "list", "--url", "127.0.0.1:7400"])
        expectOneLineError(result, containing: ["--url '127.0.0.1:7400' is not an http:// or https:// URL"])
    }
}
