import Foundation
import Keel
import KeelTesting
import Testing

/// A write the store cannot take (the database restarting, the network down) is not the task's
/// failure: the run stops where it is, is handed back to the queue, and continues from its
/// journal — on this worker too, with nothing completed run again and no attempt spent.
@Suite(.timeLimit(.minutes(2)), .tags(.leases))
struct StoreOutageTests {
    struct ThreeSteps: TaskDefinition {
        static let name = "three-steps"
        let probe: Probe
        static var retryPolicy: RetryPolicy { RetryPolicy(maximumAttempts: 1) }

        func run(input: Int, context: TaskContext) async throws -> Int {
            var total = input
            for index in 0..<3 {
                total += try await context.step("step-\(index)") { probe.hit("step-\(index)"); return index }
            }
            return total
        }
    }

    @Test(arguments: TestStore.allCases)
    func aStepWhoseResultCannotBeWrittenIsWrittenWithTheHandBackAndTheRunCompletes(store: TestStore) async throws {
        let probe = Probe()
        var faulty: FaultyStore?
        try await withTestEngine(store: store, tasks: [ThreeSteps(probe: probe)], wrappingStore: { base in
            let store = FaultyStore(base)
            store.failNextCommits(1) { $0.entries.first?.name == "step-1" }
            faulty = store
            return store
        }) { test in
            let run = try await test.trigger(ThreeSteps.self, input: 10)
            #expect(try await run.result() == 13)
            #expect(faulty?.failuresLeft == 0)
            // step-1's result, kept in memory when its commit failed, was written with the hand-back:
            // no body ran again.
            for index in 0..<3 { #expect(probe.count("step-\(index)") == 1) }
            let journal = try await test.engine.journal(run.id)
            #expect(journal.filter { $0.kind == .stepCompleted }.map(\.name) == ["step-0", "step-1", "step-2"])
            #expect(!journal.contains { $0.kind == .stepAttemptFailed || $0.kind == .stepFailed || $0.kind == .runRetried })
            #expect(try await run.record().attempt == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func anOutcomeThatCannotBeWrittenIsRecordedAfterTheHandBackWithoutRerunningSteps(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [ThreeSteps(probe: probe)], wrappingStore: { base in
            let store = FaultyStore(base)
            store.failNextCommits(2) { if case .completed = $0.change { true } else { false } }
            return store
        }) { test in
            let run = try await test.trigger(ThreeSteps.self, input: 1)
            #expect(try await run.result() == 4)
            // Replayed twice from the journal: no step body ran again.
            for index in 0..<3 { #expect(probe.count("step-\(index)") == 1) }
            #expect(try await run.record().status == .completed)
        }
    }
}
