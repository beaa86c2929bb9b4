import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ConcurrencyTests {
    struct Busy: TaskDefinition {
        static let name = "busy"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("work") {
                probe.gauge("running", 1)
                defer { probe.gauge("running", -1) }
                try await Task.sleep(for: .milliseconds(10))
                return input
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func concurrencyLimitIsNeverExceeded(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Busy(probe: probe)], configuration: .init(concurrency: 3)) { test in
            var handles: [RunHandle<Int>] = []
            for index in 0..<30 { handles.append(try await test.trigger(Busy.self, input: index)) }
            var sum = 0
            for handle in handles { sum += try await handle.result() }
            #expect(sum == (0..<30).reduce(0, +))
            #expect(probe.maximum("running") <= 3, "never more runs at once than the engine's concurrency")
        }
    }

    struct Quick: TaskDefinition {
        static let name = "quick"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("work") {
                probe.hit("started-\(input)")
                return input
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunWhoseCodeHasReturnedGivesItsSlotBackWhileItsOutcomeIsWritten(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [Quick(probe: probe)], configuration: .init(concurrency: 1), wrappingStore: { base in
            // Given the first run's outcome held before it is written
            let store = FaultyStore(base)
            store.holdCommits(until: gate) { if case .completed(let output) = $0.change { output == Data("1".utf8) } else { false } }
            return store
        }) { test in
            // When two runs are triggered on one slot
            let first = try await test.trigger(Quick.self, input: 1)
            try await eventually("the first run's code") { probe.count("started-1") == 1 }
            let second = try await test.trigger(Quick.self, input: 2)
            // Then the second runs while the first's outcome is being written
            try await eventually("the second run's code") { probe.count("started-2") == 1 }
            #expect(try await second.result() == 2)
            #expect(try await first.status() == .running)
            // And the first completes once its outcome is written
            gate.open()
            #expect(try await first.result() == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func delayedRunStartsWhenDue(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Busy(probe: probe)]) { test in
            let run = try await test.trigger(Busy.self, input: 7, options: .init(delay: .seconds(60)))
            try await Task.sleep(for: .milliseconds(30))
            #expect(try await run.status() == .queued)
            await test.clock.advance(by: .seconds(60))
            #expect(try await run.result() == 7)
        }
    }

    @Test(arguments: TestStore.allCases)
    func cancellingARunStopsItsStep(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [LeaseTests.TwoSteps(probe: probe, gate: gate)]) { test in
            let run = try await test.trigger(LeaseTests.TwoSteps.self, input: 1)
            try await eventually("the first step") { probe.count("first") == 1 }
            try await test.engine.cancel(run.id)
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .cancelled)
            try await Task.sleep(for: .milliseconds(30))
            #expect(probe.count("second") == 0)
            let journal = try await test.store.journal(run.id)
            #expect(journal.map(\.kind) == [.runCancelled], "the step in flight wrote nothing; the cancellation is journaled")
            #expect(journal.first?.error?.message == "the run was cancelled")
        }
    }
}
