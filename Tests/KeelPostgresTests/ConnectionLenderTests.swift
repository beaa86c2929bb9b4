import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Single statements run on the connection an engine listens on while it is idle, and that
/// connection goes back to the pool only with no statement on it.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct ConnectionLenderTests {
    /// The session a single statement ran in: its backend's process id and the channels it listens on.
    struct Session: Equatable {
        let processID: Int32
        let channels: String
    }

    static func session(of store: PostgresRunStore, sleepingFor seconds: Double = 0) async throws -> Session {
        let rows = try await store.query(
            "probe",
            "SELECT pg_backend_pid(), array_to_string(ARRAY(SELECT pg_listening_channels()), ','), pg_sleep(\(seconds))::text"
        )
        let (processID, channels, _) = try #require(rows.first).decode((Int32, String, String).self)
        return Session(processID: processID, channels: channels)
    }

    /// Waits until `condition` holds, for at most 10 s.
    static func eventually(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !condition() {
            try #require(ContinuousClock.now < deadline, "the condition never held")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func singleStatementsRunOnTheListeningConnectionOnlyWhileItListens() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // Given a store nobody listens on, a statement runs on a pooled connection
            #expect(try await Self.session(of: store).channels == "")

            // When an engine listens for work
            let listening = Task { try await store.listenForWork {} }
            // Then statements run on its connection, the one listening
            try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }

            // And once it stops, on pooled connections again
            listening.cancel()
            _ = try? await listening.value
            #expect(try await Self.session(of: store).channels == "")
        }
    }

    @Test func aBusyLentConnectionSendsOtherStatementsToThePool() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let listening = Task { try await store.listenForWork {} }
            defer { listening.cancel() }
            try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }

            // When a slow statement holds the lent connection, another runs at the same time
            async let slow = Self.session(of: store, sleepingFor: 0.5)
            try await Task.sleep(for: .milliseconds(100))
            let other = try await Self.session(of: store)
            // Then it ran on another connection (one not listening), not queued behind the slow one
            #expect(other.channels == "")
            #expect(try await slow.channels == PostgresRunStore.workChannel)
        }
    }

    @Test func listeningEndsOnlyAfterTheStatementOnItsConnectionHasFinished() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let listening = Task { try await store.listenForWork {} }
            try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }

            // Given a statement on the lent connection, which the server answers after 0.5 s
            let sent = ContinuousClock.now
            let statement = Task { try await Self.session(of: store, sleepingFor: 0.5) }
            try await Task.sleep(for: .milliseconds(100))
            // When the engine stops listening meanwhile
            listening.cancel()
            _ = try? await listening.value
            // Then the connection went back to the pool only after the statement's answer, which
            // the statement got in full
            #expect(ContinuousClock.now - sent >= .milliseconds(500))
            #expect(try await statement.value.channels == PostgresRunStore.workChannel)
        }
    }

    @Test func aStatementThatDoesNotAnswerInTimeClosesTheLentConnectionAndListeningResumesOnANewOne() async throws {
        try await PostgresTestDatabase.withFreshSchema { _, configuration in
            var logger = Logger(label: "keel.test.postgres")
            logger.logLevel = .critical
            try await PostgresTestDatabase.withRunningClient(configuration) { client in
                let store = try await PostgresRunStore(client: client, logger: logger, operationTimeout: .seconds(1))
                let starts = Atomic(0)
                // onWork is called each time listening (re)starts
                let listening = Task { try await store.listenForWork { starts.add(1, ordering: .relaxed) } }
                defer { listening.cancel() }
                try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }
                let first = try await Self.session(of: store)

                // When a statement on the lent connection does not answer within the deadline
                let error = try await #require(throws: KeelError.self) { try await Self.session(of: store, sleepingFor: 5) }
                #expect(error.code == .storeFailure)

                // Then that connection was closed, and the engine listens again on a new one,
                // lent in turn (a statement may meet the closed connection in the pool before the
                // pool has dropped it: that is a store failure to retry, as the engine does)
                try await Self.eventually {
                    guard let session = try? await Self.session(of: store) else { return false }
                    return session.channels == PostgresRunStore.workChannel && session.processID != first.processID
                }
                #expect(starts.load(ordering: .relaxed) >= 2)
            }
        }
    }
}
