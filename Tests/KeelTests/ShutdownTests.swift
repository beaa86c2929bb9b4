import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ShutdownTests {
    @Test(arguments: TestStore.allCases)
    func gracefulShutdownFinishesTheStepAndReleasesTheLease(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [LeaseTests.TwoSteps(probe: probe, gate: gate)]) { test in
            // Given a run in the middle of a step
            let run = try await test.trigger(LeaseTests.TwoSteps.self, input: 5)
            try await eventually("the first step") { probe.count("first") == 1 }
            // When the engine is asked to shut down (SIGTERM)
            let shutdown = Task { try await test.shutdown() }
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await run.status() == .running, "the step in flight may finish")
            gate.open()
            try await shutdown.value
            // Then the step finished and was journaled, the run stopped before the next one,
            // and its lease is released so another worker takes it at once
            let record = try await run.record()
            #expect(record.status == .queued)
            #expect(record.leaseOwner == nil)
            #expect(try await test.store.journal(run.id).map(\.name) == ["first"])
            #expect(probe.count("second") == 0)
            try test.start()
            #expect(try await run.result() == 10, "no clock advance needed: the lease was released")
            #expect(probe.count("first") == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func stepsStillRunningAfterTheGracePeriodAreCancelledAndReleased(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        let configuration = KeelEngine.Configuration(shutdownGracePeriod: .milliseconds(100))
        try await withTestEngine(store: store, tasks: [LeaseTests.TwoSteps(probe: probe, gate: gate)], configuration: configuration) { test in
            let run = try await test.trigger(LeaseTests.TwoSteps.self, input: 5)
            try await eventually("the first step") { probe.count("first") == 1 }
            try await test.shutdown()
            let record = try await run.record()
            #expect(record.status == .queued)
            #expect(record.leaseOwner == nil)
            #expect(try await test.store.journal(run.id).isEmpty, "a cancelled attempt is not a failure")
            try test.start()
            #expect(try await run.result() == 10)
            #expect(probe.count("first") == 2)
        }
    }
}
