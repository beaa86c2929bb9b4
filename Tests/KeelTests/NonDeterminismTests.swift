import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)), .tags(.replay))
struct NonDeterminismTests {
    /// Version 1: charge, sleep an hour, ship. Version 2 (`changed`) inserts a step before the sleep.
    struct Order: TaskDefinition {
        static let name = "order"
        let changed: Bool
        let probe: Probe

        func run(input: String, context: TaskContext) async throws -> String {
            let receipt = try await context.step("charge") { "receipt-\(input)" }
            if changed {
                try await context.step("notify") { probe.hit("notify") }
            }
            try await context.sleep(for: .seconds(3600))
            return try await context.step("ship") {
                probe.hit("ship")
                return "shipped-\(receipt)"
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func changedCodeParksTheRunWithBothSides(store: TestStore) async throws {
        try await store.withStore { runStore in try await changedCodeParksTheRunWithBothSides(runStore: runStore) }
    }

    func changedCodeParksTheRunWithBothSides(runStore: any RunStore) async throws {
        let probe = Probe()
        let clock = VirtualClock()

        // Given a run of version 1, suspended in its sleep
        let runID = try await suspendedOrder("o-1", store: runStore, clock: clock, probe: probe)
        let journalBefore = try await runStore.journal(runID)

        // When changed code replays it
        try await withEngine(store: runStore, clock: clock, task: Order(changed: true, probe: probe)) { engine in
            await clock.advance(by: .seconds(3600))
            let error = try await #require(throws: RunFailedError.self) { try await engine.handle(for: runID, output: String.self).result() }
            // Then the run is parked with both sides named, and nothing of it ran or was written
            #expect(error.status == .parked)
            #expect(
                error.error?.message
                    == "non-determinism at journal position 1: the journal recorded sleep, the code did step 'notify'"
            )
            #expect(error.error?.type.hasSuffix("NonDeterminismError") == true)
            #expect(probe.count("notify") == 0 && probe.count("ship") == 0)
            #expect(try await runStore.journal(runID) == journalBefore)
            #expect(try await engine.run(runID).leaseOwner == nil)
        }

        // When the fixed code (version 1 again) is deployed and the run resumed, it completes
        try await withEngine(store: runStore, clock: clock, task: Order(changed: false, probe: probe)) { engine in
            try await engine.resume(runID)
            let output = try await engine.handle(for: runID, output: String.self).result()
            #expect(output == "shipped-receipt-o-1")
            #expect(probe.count("ship") == 1)
        }
    }

    struct Shortened: TaskDefinition {
        static let name = "order"
        func run(input: String, context: TaskContext) async throws -> String { "nothing to do" }
    }

    @Test(arguments: TestStore.allCases)
    func codeThatReturnsBeforeTheJournalEndsIsParked(store: TestStore) async throws {
        try await store.withStore { runStore in
            let clock = VirtualClock()
            let runID = try await suspendedOrder("o-2", store: runStore, clock: clock, probe: Probe())
            try await withEngine(store: runStore, clock: clock, task: Shortened()) { engine in
                await clock.advance(by: .seconds(3600))
                let error = try await #require(throws: RunFailedError.self) { try await engine.handle(for: runID, output: String.self).result() }
                #expect(error.status == .parked)
                #expect(error.error?.message.contains("the journal recorded step 'charge', the code did return (the task finished)") == true)
            }
        }
    }

    /// A run of version 1 of `Order`, triggered and left suspended in its sleep.
    func suspendedOrder(_ input: String, store: any RunStore, clock: VirtualClock, probe: Probe) async throws -> RunID {
        try await withEngine(store: store, clock: clock, task: Order(changed: false, probe: probe)) { engine in
            let run = try await engine.trigger(Order.self, input: input)
            try await eventually("the sleep") { try await run.status() == .waiting }
            return run.id
        }
    }

    func withEngine<Result: Sendable>(
        store: any RunStore, clock: VirtualClock, task: some TaskDefinition, _ body: (KeelEngine) async throws -> Result
    ) async throws -> Result {
        let engine = try KeelEngine(store: store, tasks: [task], clock: clock, logger: .keelTest)
        let service = Task { try await engine.run() }
        defer { service.cancel() }
        let result = try await body(engine)
        service.cancel()
        try await service.value
        return result
    }
}
