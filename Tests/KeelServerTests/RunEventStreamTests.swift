import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Keel
@testable import KeelServer
import Testing

@Suite("Server-sent events of a run", .timeLimit(.minutes(2)))
struct RunEventStreamTests {
    /// One server-sent event.
    struct Event {
        var id: Int
        var name: String
        var data: JSONValue
    }

    static func parse(_ text: String) throws -> [Event] {
        try text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
            var event = Event(id: 0, name: "message", data: .null)
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { event.id = Int(line.dropFirst(4)) ?? -1 }
                if line.hasPrefix("event: ") { event.name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { event.data = try JSONDecoder().decode(JSONValue.self, from: Data(line.dropFirst(6).utf8)) }
            }
            return event
        }
    }

    @Test func theStreamDeliversStatusAndEveryJournalEntryInOrderThenEnds() async throws {
        try await ServerFixture.with { server in
            // Follow from before the run does anything: the stream sees entries as they are written.
            let id = try await server.trigger("demo.steps", input: #"{"count": 3, "sleepSeconds": 0.2}"#)
            let response = try await server.request(.get, "/api/v1/runs/\(id)/events")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = try Self.parse(String(buffer: response.body))
            #expect(events.map(\.id) == Array(1...events.count))
            #expect(events.first?.name == "run")
            #expect(events.last?.name == "end")
            #expect(events.last?.data["status"] == .string("completed"))
            let journal = events.filter { $0.name == "journal" }
            #expect(journal.map { $0.data["sequence"] } == (0..<5).map { .integer(Int64($0)) })
            #expect(journal.map { $0.data["kind"] } == ["step.completed", "sleep", "step.completed", "sleep", "step.completed"].map { .string($0) })
            #expect(journal.last?.data["payload"] == .string("step 3 of 3"))
        }
    }

    @Test func aFinishedRunStreamsItsWholeJournalAndEnds() async throws {
        try await ServerFixture.with { server in
            let id = try await server.trigger("demo.flaky", input: #"{"failures": 1}"#)
            _ = try await server.waitFor(id, status: "completed")
            let events = try Self.parse(String(buffer: try await server.request(.get, "/api/v1/runs/\(id)/events").body))
            #expect(events.map(\.name) == ["run", "journal", "journal", "end"])
            #expect(events[1].data["kind"] == .string("step.attempt_failed"))
            #expect(events[2].data["kind"] == .string("step.completed"))
            #expect(events[2].data["payload"] == .object(["succeededOnAttempt": .integer(2)]) || events[2].data["payload"] == .integer(2))
        }
    }
}

@Suite("Event stream keep-alive", .timeLimit(.minutes(1)))
struct EventStreamKeepAliveTests {
    @Test func aQuietStreamSendsKeepAliveCommentsBetweenEvents() async throws {
        let record = RunRecord(
            id: "r-1", taskName: "t", taskVersion: "1", queue: "default", status: .waiting, input: Data("{}".utf8),
            createdAt: Date(), updatedAt: Date()
        )
        let (updates, continuation) = AsyncThrowingStream<RunUpdate, any Error>.makeStream()
        let (chunks, _) = RunsController.eventChunks(updates, keepAliveInterval: .milliseconds(50))
        continuation.yield(.status(record))
        let finisher = Task {
            try await Task.sleep(for: .milliseconds(600))
            var finished = record
            finished.status = .completed
            continuation.yield(.finished(finished))
            continuation.finish()
        }
        var received: [String] = []
        for try await chunk in chunks { received.append(chunk) }
        try await finisher.value
        #expect(received.first?.hasPrefix("id: 1\nevent: run\n") == true)
        #expect(received.last?.hasPrefix("id: 2\nevent: end\n") == true)
        #expect(received.dropFirst().dropLast().allSatisfy { $0 == ": keep-alive\n\n" })
        #expect(received.count >= 3, "no keep-alive between the two events: \(received)")
    }
}
