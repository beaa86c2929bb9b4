import Foundation
import Testing

/// `keel dev` as a user runs it: stopped with SIGTERM (as Ctrl-C does) and started again on the
/// same data directory.
@Suite(.serialized, .timeLimit(.minutes(2)), .tags(.endToEnd))
struct DevCommandTests {
    /// The `runs show --json` of `runID` on `server`, decoded.
    static func run(_ runID: String, on server: DevServer) async throws -> [String: Any] {
        let show = try await server.keel("runs", "show", runID, "--json")
        expectSuccess(show)
        return try #require(JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any], "\(show)")
    }

    @Test func aRestartedDevServerContinuesTheRunsInItsFile() async throws {
        var server = try await DevServerHandle.start()
        defer { server.stopQuietly() }
        // Given a run that has done its first step and sleeps 3 s before the next
        let trigger = try await server.current.keel("trigger", "demo.steps", "--input", #"{"count": 3, "sleepSeconds": 3}"#)
        expectSuccess(trigger)
        let runID = try #require(trigger.lines.first)
        let current = server.current
        _ = try await eventually("the first step of \(runID)") { () -> Bool? in
            let run = try await Self.run(runID, on: current)
            return (run["journal"] as? [Any])?.isEmpty == false ? true : nil
        }

        // When keel dev stops on SIGTERM (within its grace period) and starts again on the same directory
        let stopping = ContinuousClock.now
        try await server.restart()
        #expect(ContinuousClock.now - stopping < .seconds(15))

        // Then the run continues from its journal and completes, each step journaled once
        let restarted = server.current
        let run = try await eventually("\(runID) to complete after the restart") { () -> [String: Any]? in
            let run = try await Self.run(runID, on: restarted)
            return run["status"] as? String == "completed" ? run : nil
        }
        let journal = try #require(run["journal"] as? [[String: Any]])
        let steps = journal.filter { $0["kind"] as? String == "step.completed" }
        #expect(steps.compactMap { $0["position"] as? Int } == [0, 2, 4], "\(journal)")
        #expect((run["output"] as? [String: Any])?["steps"] as? [String] == ["step 1 of 3", "step 2 of 3", "step 3 of 3"])
    }

    @Test func sigtermStopsTheServerWhileAClientFollowsARun() async throws {
        var server = try await DevServerHandle.start()
        defer { server.stopQuietly() }
        // Given a client following a run that waits for a token
        let trigger = try await server.current.keel("trigger", "demo.approval")
        let runID = try #require(trigger.lines.first, "\(trigger)")
        let watch = try server.current.start("runs", "watch", runID)
        _ = try await eventually("the watch to print the token") { watch.stdout.contains("token.created") ? true : nil }

        // When the server gets SIGTERM, it stops (the stream ends) and exits 0
        let stopping = ContinuousClock.now
        try await server.restart()
        #expect(ContinuousClock.now - stopping < .seconds(15))

        // And the waiting run is still waiting on the restarted server
        let run = try await Self.run(runID, on: server.current)
        #expect(run["status"] as? String == "waiting")
        _ = try? await watch.finish(within: .seconds(10))
    }
}

/// A `keel dev` server that a test restarts, stopped at the end of the test.
struct DevServerHandle {
    private(set) var current: DevServer

    static func start() async throws -> DevServerHandle {
        DevServerHandle(current: try await DevServer.started())
    }

    mutating func restart() async throws {
        current = try await current.restarted()
    }

    /// Kills the server (a test's cleanup; the tests stop it gracefully themselves).
    func stopQuietly() {
        current.kill()
    }
}
