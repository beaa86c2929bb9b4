import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)), .tags(.leases))
struct LeaseTests {
    struct TwoSteps: TaskDefinition {
        static let name = "two-steps"
        let probe: Probe
        let gate: Gate

        func run(input: Int, context: TaskContext) async throws -> Int {
            let first = try await context.step("first") { () async throws -> Int in
                if probe.hit("first") == 1 { try await gate.wait() }
                return input
            }
            return try await context.step("second") {
                probe.hit("second")
                return first * 2
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func expiredLeaseIsReclaimedAndTheOldHolderIsFenced(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [TwoSteps(probe: probe, gate: gate)], configuration: .init(leaseDuration: .seconds(30))) { test in
            // Given a run held by worker A, which dies mid-step
            let run = try await test.trigger(TwoSteps.self, input: 21)
            try await eventually("the first step") { probe.count("first") == 1 }
            let workerA = test.engine.configuration.workerID
            let staleLease = Lease(runID: run.id, workerID: workerA, token: 1, expiresAt: test.clock.now())
            try await test.restart()
            // When less than the lease has passed, no one else takes it
            await test.clock.advance(by: .seconds(20))
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await run.record().leaseOwner == workerA)
            #expect(probe.count("first") == 1)
            // When the lease has expired, the new worker claims the run and finishes it
            await test.clock.advance(by: .seconds(11))
            #expect(try await run.result() == 42)
            #expect(probe.count("first") == 2)
            // And worker A, had it survived, could no longer write to the run's journal
            let stale = RunTransition(entries: [
                JournalEntry(runID: run.id, sequence: 99, position: 9, kind: .stepCompleted, name: "late", recordedAt: test.clock.now())
            ])
            let error = try await #require(throws: KeelError.self) { try await test.store.commit(stale, lease: staleLease, now: test.clock.now()) }
            #expect(error.code == .leaseLost)
            #expect(try await test.store.journal(run.id).count == 2)
        }
    }

    @Test(arguments: TestStore.allCases)
    func heartbeatsKeepALongStepLeased(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [TwoSteps(probe: probe, gate: gate)], configuration: .init(leaseDuration: .seconds(30))) { test in
            let run = try await test.trigger(TwoSteps.self, input: 1)
            try await eventually("the first step") { probe.count("first") == 1 }
            // A second engine shares the store; the first keeps heartbeating for 5 lease lengths.
            let other = try KeelEngine(store: test.store, tasks: test.tasks, clock: test.clock, logger: .keelTest)
            let otherService = Task { try await other.run() }
            defer { otherService.cancel() }
            // Small ticks: a heartbeat that re-arms its timer after a tick drifts by one tick at most.
            for _ in 0..<150 {
                await test.clock.advance(by: .seconds(1))
                try await eventually("the heartbeat") {
                    try await run.record().leaseExpiresAt ?? .distantPast > test.clock.now()
                }
            }
            #expect(try await run.record().leaseOwner == test.engine.configuration.workerID)
            gate.open()
            #expect(try await run.result() == 2)
            #expect(probe.count("first") == 1, "no other worker took the run while it was heartbeating")
        }
    }
}
