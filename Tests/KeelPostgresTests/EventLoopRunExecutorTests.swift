import Foundation
@testable import Keel
@testable import KeelPostgres
import KeelTesting
import NIOPosix
import PostgresNIO
import Testing

/// On PostgreSQL, runs' code executes on the event loops of the client's connections (where the
/// answers to its statements arrive), unless the store is told it blocks; a statement from a loop
/// goes on a held connection of that loop when one is idle.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct EventLoopRunExecutorTests {
    /// Where a piece of a run's code ran.
    struct Place: Codable, Sendable, Equatable {
        let onEventLoop: Bool
        let onRunThread: Bool

        static var here: Place {
            Place(onEventLoop: MultiThreadedEventLoopGroup.currentEventLoop != nil, onRunThread: RunExecutor.isCurrentThreadARunThread)
        }
    }

    /// Records where its code runs: at its start, in a step, after each step's commit.
    static let places = ClosureTask("test.event-loops.places") { (_: Int, context: TaskContext) -> [Place] in
        var places = [Place.here]
        places.append(try await context.step("inside a step") { Place.here })
        places.append(Place.here)
        _ = try await context.step("another") { 1 }
        places.append(Place.here)
        return places
    }

    /// Runs one run handed off at its trigger and one claimed (triggered with a delay), and returns
    /// where their code ran.
    static func placesOfRuns(on store: PostgresRunStore) async throws -> [Place] {
        let engine = try KeelEngine(store: store, tasks: [Self.places], logger: .keelTest)
        let service = Task { try await engine.run() }
        let handedOff = try await engine.trigger(Self.places, input: 0).result()
        let claimed = try await engine.trigger(Self.places, input: 1, options: TriggerOptions(delay: .milliseconds(20))).result()
        service.cancel()
        try await service.value
        return handedOff + claimed
    }

    @Test func runsCodeExecutesOnTheConnectionsEventLoopsByDefault() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, _ in
            #expect(store.runExecutor != nil)
            let places = try await Self.placesOfRuns(on: store)
            #expect(places.count == 8)
            #expect(places.allSatisfy { $0 == Place(onEventLoop: true, onRunThread: false) }, "\(places)")
        }
    }

    @Test func runsOfAStoreToldThatTheyBlockExecuteOnRunThreads() async throws {
        try await PostgresTestDatabase.withFreshSchema { _, configuration in
            try await PostgresTestDatabase.withRunningClient(configuration) { client in
                let store = try await PostgresRunStore(client: client, logger: .keelTest, runsOnEventLoops: false)
                #expect(store.runExecutor == nil)
                let places = try await Self.placesOfRuns(on: store)
                #expect(places.count == 8)
                #expect(places.allSatisfy { $0 == Place(onEventLoop: false, onRunThread: true) }, "\(places)")
            }
        }
    }

    @Test func aStatementFromAnEventLoopBorrowsAConnectionOfThatLoopFirst() async throws {
        try await PostgresTestDatabase.withFreshSchema { _, configuration in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let client = PostgresClient(configuration: configuration, eventLoopGroup: group)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await client.run() }
                defer { tasks.cancelAll() }
                // Two connections opened one after the other: the group hands out its loops in turn
                try await client.withConnection { first in
                    try await client.withConnection { second in
                        try #require(first.eventLoop !== second.eventLoop, "both connections are on one loop")
                        let lender = ConnectionLender()
                        try await lender.lend(first, preferred: true) {
                            try await lender.lend(second) {
                                // Off every loop, the preferred connection
                                let offLoop = try #require(lender.borrow(on: nil))
                                #expect(offLoop.connection === first)
                                lender.giveBack(offLoop)
                                // From the second's loop, the second, though the preferred one is idle
                                let onSecondsLoop = try #require(lender.borrow(on: second.eventLoop))
                                #expect(onSecondsLoop.connection === second)
                                // And while it is out, another one rather than none
                                let whileOut = try #require(lender.borrow(on: second.eventLoop))
                                #expect(whileOut.connection === first)
                                lender.giveBack(whileOut)
                                lender.giveBack(onSecondsLoop)
                            }
                        }
                    }
                }
            }
            try await group.shutdownGracefully()
        }
    }
}
