import Foundation
import Keel
import KeelTesting
import Synchronization
import Testing

/// When a step's result is committed: before anything that depends on it leaves the run, and
/// with the run's outcome when the run returns right after its last step.
@Suite(.timeLimit(.minutes(2)))
struct StepCommitTests {
    /// Three steps, then the sum.
    struct ThreeSteps: TaskDefinition {
        static let name = "three-steps"

        func run(input: Int, context: TaskContext) async throws -> Int {
            let a = try await context.step("a") { input }
            let b = try await context.step("b") { a + 1 }
            let c = try await context.step("c") { b + 1 }
            return a + b + c
        }
    }

    /// A step, a recorded time, and a second step whose body reports the journal positions
    /// committed when it began.
    struct CommittedBeforeBody: TaskDefinition {
        static let name = "committed-before-body"
        let committedPositions: @Sendable () -> [Int]

        func run(input: Int, context: TaskContext) async throws -> [Int] {
            _ = try await context.step("a") { input }
            _ = try await context.now()
            return try await context.step("b") { committedPositions() }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunThatReturnsAfterItsLastStepCommitsItsResultWithTheOutcome(store: TestStore) async throws {
        let observed = Mutex<FaultyStore?>(nil)
        try await withTestEngine(store: store, tasks: [ThreeSteps()], wrappingStore: { base in
            let wrapped = FaultyStore(base)
            observed.withLock { $0 = wrapped }
            return wrapped
        }) { test in
            // Given a task of three steps that returns right after the last
            let run = try await test.trigger(ThreeSteps.self, input: 1)
            // When it completes
            #expect(try await run.result() == 1 + 2 + 3)
            // Then it made three commits, not four: the last step's entry went with the outcome
            let commits = try #require(observed.withLock { $0 }).committed
            #expect(commits.map { $0.entries.map(\.position) } == [[0], [1], [2]])
            #expect(commits.last?.change == .completed(output: Data("6".utf8)))
            #expect(commits.dropLast().allSatisfy { $0.change == .none })
            // And the journal holds all three, in order
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.name) == ["a", "b", "c"])
            #expect(journal.map { String(decoding: $0.payload ?? Data(), as: UTF8.self) } == ["1", "2", "3"])
        }
    }

    @Test(arguments: TestStore.allCases)
    func earlierResultsAreCommittedBeforeAStepsBodyRuns(store: TestStore) async throws {
        let observed = Mutex<FaultyStore?>(nil)
        let task = CommittedBeforeBody {
            (observed.withLock { $0 }?.committed ?? []).flatMap { $0.entries.compactMap(\.position) }
        }
        try await withTestEngine(store: store, tasks: [task], wrappingStore: { base in
            let wrapped = FaultyStore(base)
            observed.withLock { $0 = wrapped }
            return wrapped
        }) { test in
            // Given a step and a recorded time, neither committed when it was made
            let run = try await test.trigger(CommittedBeforeBody.self, input: 7)
            // When the next step's body begins
            let positionsSeenByTheBody = try await run.result()
            // Then both were committed before it, and the step's own result with the outcome
            #expect(positionsSeenByTheBody == [0, 1])
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.kind) == [.stepCompleted, .now, .stepCompleted])
        }
    }

    /// A step, then a wait outside any step on a gate the test opens (or never does).
    struct StepThenGate: TaskDefinition {
        static let name = "step-then-gate"
        let probe: Probe
        let gate: Gate

        func run(input: Int, context: TaskContext) async throws -> Int {
            let value = try await context.step("a") {
                probe.hit("a")
                return input
            }
            try await gate.wait()
            return value * 2
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunStoppedBeforeItsLastStepWasCommittedRunsThatStepAgain(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [StepThenGate(probe: probe, gate: gate)]) { test in
            // Given a run whose step finished, held outside any step before it returns
            let run = try await test.trigger(StepThenGate.self, input: 21)
            try await eventually("the step to run") { probe.count("a") == 1 }
            // When its worker stops without a trace (as a crash would), nothing of it was committed
            await test.crash()
            try test.start()
            #expect(try await test.engine.journal(run.id).isEmpty)
            // Then, once the lease expires, another worker runs the step again and completes the
            // run, journaling the step once
            gate.open()
            await test.clock.advance(by: test.configuration.leaseDuration + .seconds(1))
            #expect(try await test.engine.handle(for: run.id, output: Int.self).result() == 42)
            #expect(probe.count("a") == 2)
            #expect(try await test.engine.journal(run.id).map(\.name) == ["a"])
        }
    }
}
