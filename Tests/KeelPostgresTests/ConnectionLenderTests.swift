import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Single statements run on the connections a running engine holds — the one it listens on while
/// it is idle, else one of the others — and those go back to the pool only with no statement on them.
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

    @Test func aBusyListeningConnectionSendsOtherStatementsToAnotherLentConnection() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            let listening = Task { try await store.listenForWork {} }
            defer { listening.cancel() }
            try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }
            try await Self.eventually { store.lender.lentConnections == 1 + store.statementConnections }
            let loansBefore = store.lender.loansMade

            // When a slow statement holds the listening connection, another runs at the same time
            async let slow = Self.session(of: store, sleepingFor: 0.5)
            try await Task.sleep(for: .milliseconds(100))
            let other = try await Self.session(of: store)
            // Then it ran on another connection (one not listening), not queued behind the slow one
            #expect(other.channels == "")
            #expect(try await slow.channels == PostgresRunStore.workChannel)
            // And both were lent: neither went through the pool
            #expect(store.lender.loansMade - loansBefore == 2)
        }
    }

    @Test func asManyStatementsAtOnceAsTheEngineHoldsConnectionsSkipThePool() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            // Given an engine listening: it holds its listening connection and two more (two
            // grouped commits in flight and a claim)
            #expect(store.lender.lentConnections == 0)
            let listening = Task { try await store.listenForWork {} }
            let held = 3
            try await Self.eventually { store.lender.lentConnections == held }
            let loansBefore = store.lender.loansMade

            // When that many statements run at once
            let sessions = try await withThrowingTaskGroup(of: Session.self) { group in
                for _ in 0..<held { group.addTask { try await Self.session(of: store, sleepingFor: 0.3) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // Then each ran on a connection of its own, one of them the listening one, all lent
            #expect(Set(sessions.map(\.processID)).count == held)
            #expect(sessions.filter { $0.channels == PostgresRunStore.workChannel }.count == 1)
            #expect(store.lender.loansMade - loansBefore == held)

            // And once the engine stops, none is lent any more
            listening.cancel()
            _ = try? await listening.value
            #expect(store.lender.lentConnections == 0)
            let loansAfterStop = store.lender.loansMade
            _ = try await Self.session(of: store)
            #expect(store.lender.loansMade == loansAfterStop)
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

    @Test func aStoreGivenNoStatementConnectionsHoldsOnlyTheListeningOne() async throws {
        try await PostgresTestDatabase.withFreshSchema { _, configuration in
            try await PostgresTestDatabase.withRunningClient(configuration) { client in
                // For a small pool: an engine then holds one connection while it runs
                let store = try await PostgresRunStore(client: client, logger: .keelTest, statementConnections: 0)
                let listening = Task { try await store.listenForWork {} }
                defer { listening.cancel() }
                try await Self.eventually { try await Self.session(of: store).channels == PostgresRunStore.workChannel }
                try await Task.sleep(for: .milliseconds(300))
                #expect(store.lender.lentConnections == 1)
            }
        }
    }

    @Test func inASmallPoolTheHeldConnectionsYieldToTransactions() async throws {
        // Two connections: the engine listens on one and holds the other for statements
        try await PostgresTestDatabase.withFreshSchema(maximumConnections: 2) { store, _ in
            let listening = Task { try await store.listenForWork {} }
            defer { listening.cancel() }
            try await Self.eventually { store.lender.lentConnections == 2 }

            // When transactions need the pool, one after another and three at once
            let transaction = { @Sendable in try await store.transaction("probe") { try await $0.rows("SELECT 1", logger: .keelTest).count } }
            for _ in 0..<3 {
                #expect(try await transaction() == 1)
            }
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await transaction() } }
                var answered = 0
                for try await count in group { answered += count }
                return answered
            }
            #expect(answered == 3)
            // Then they ran (without the yield they would wait for the store's 30 s deadline and
            // fail), and the engine listens on
            #expect(try await Self.session(of: store).channels == PostgresRunStore.workChannel)
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
