import Foundation
import Keel
import KeelTesting
import Testing

/// Child runs: fire and forget, trigger and wait, batches in input order, replay without
/// duplicates, and large fan-outs.
@Suite(.timeLimit(.minutes(2)))
struct ChildRunTests {
    /// Doubles its input in one step; a negative input fails the run (no retries). With a gate,
    /// the step blocks until the gate opens.
    struct Doubler: TaskDefinition {
        static let name = "doubler"
        static let retryPolicy = RetryPolicy.never
        let probe: Probe
        var gate: Gate?

        func run(input: Int, context: TaskContext) async throws -> Int {
            if input < 0 { throw AbortRunError("negative input \(input)") }
            return try await context.step("double") { () async throws -> Int in
                probe.hit("double")
                if let gate { try await gate.wait() }
                return input * 2
            }
        }
    }

    /// How a child the parent waited for ended, as the parent reports it.
    enum ChildOutcome: Codable, Sendable, Equatable {
        case output(Int)
        case failed(child: RunID, status: RunStatus, message: String?)

        init(_ result: Result<Int, ChildRunFailedError>) {
            switch result {
            case .success(let value): self = .output(value)
            case .failure(let error): self = .failed(child: error.childID, status: error.status, message: error.error?.message)
            }
        }
    }

    struct AwaitOne: TaskDefinition {
        static let name = "await-one"
        func run(input: Int, context: TaskContext) async throws -> ChildOutcome {
            do {
                return .output(try await context.triggerAndWait(Doubler.self, input: input))
            } catch let failure as ChildRunFailedError {
                return ChildOutcome(.failure(failure))
            }
        }
    }

    struct SumDoubles: TaskDefinition {
        static let name = "sum-doubles"
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Int {
            probe.hit("parent-body")
            let results = try await context.batchTriggerAndWait(Doubler.self, inputs: Array(0..<input))
            return try results.reduce(0) { try $0 + $1.get() }
        }
    }

    /// Sleeps `seconds` (durably), then doubles `value` or fails for a negative one.
    struct SlowChild: TaskDefinition {
        struct Input: Codable, Sendable { var value: Int; var seconds: Int }
        static let name = "slow-child"
        static let retryPolicy = RetryPolicy.never

        func run(input: Input, context: TaskContext) async throws -> Int {
            try await context.sleep(for: .seconds(input.seconds))
            if input.value < 0 { throw AbortRunError("negative value \(input.value)") }
            return try await context.step("double") { input.value * 2 }
        }
    }

    struct AwaitBatch: TaskDefinition {
        static let name = "await-batch"
        func run(input: [SlowChild.Input], context: TaskContext) async throws -> [ChildOutcome] {
            try await context.batchTriggerAndWait(SlowChild.self, inputs: input).map(ChildOutcome.init)
        }
    }

    /// Triggers children without waiting, then a step that blocks on its first attempt.
    struct FireAndForget: TaskDefinition {
        static let name = "fire-and-forget"
        let probe: Probe
        let gate: Gate

        func run(input: [Int], context: TaskContext) async throws -> [RunID] {
            probe.hit("parent-body")
            let ids = input.count == 1
                ? [try await context.trigger(Doubler.self, input: input[0])]
                : try await context.batchTrigger(Doubler.self, inputs: input)
            try await context.step("after-trigger") { () async throws -> Void in
                if probe.hit("after-trigger") == 1 { try await gate.wait() }
            }
            return ids
        }
    }

    // MARK: Trigger and wait

    @Test(arguments: TestStore.allCases)
    func triggerAndWaitReturnsTheChildsOutput(store: TestStore) async throws {
        let probe = Probe()
        // One slot: the parent must give it back while it waits, or its child could never run.
        try await withTestEngine(store: store, tasks: [AwaitOne(), Doubler(probe: probe)], configuration: .init(concurrency: 1)) { test in
            let parent = try await test.trigger(AwaitOne.self, input: 21)
            #expect(try await parent.result() == .output(42))
            let children = try await test.engine.listRuns(RunQuery(parentID: parent.id))
            #expect(children.count == 1)
            #expect(children.first?.status == .completed)
            #expect(children.first?.taskName == Doubler.name)
            #expect(probe.count("double") == 1)
            #expect(try await test.engine.journal(parent.id).map(\.kind) == [.childrenTriggered, .waitCompleted])
        }
    }

    @Test(arguments: TestStore.allCases)
    func aFailingChildThrowsChildRunFailedErrorInTheParent(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [AwaitOne(), Doubler(probe: Probe())]) { test in
            let parent = try await test.trigger(AwaitOne.self, input: -1)
            let outcome = try await parent.result()
            let child = try #require(try await test.engine.listRuns(RunQuery(parentID: parent.id)).first)
            #expect(child.status == .failed)
            #expect(outcome == .failed(child: child.id, status: .failed, message: "negative input -1"))
        }
    }

    @Test(arguments: TestStore.allCases)
    func batchTriggerAndWaitReturnsResultsInInputOrder(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [AwaitBatch(), SlowChild()]) { test in
            // Later items sleep less, so the children finish in reverse input order.
            let inputs: [SlowChild.Input] = [
                .init(value: 1, seconds: 4), .init(value: -2, seconds: 3), .init(value: 3, seconds: 2),
                .init(value: -4, seconds: 1), .init(value: 5, seconds: 0),
            ]
            let start = test.clock.now()
            let parent = try await test.trigger(AwaitBatch.self, input: inputs)
            try await test.waitUntil(parent.id, is: .waiting)
            for elapsed in 0...4 {
                if elapsed > 0 { await test.clock.advance(by: .seconds(1)) }
                try await eventually("the children due by \(elapsed) s to finish, the others to sleep") {
                    let children = try await test.engine.listRuns(RunQuery(parentID: parent.id))
                    guard children.count == 5 else { return false }
                    return try children.allSatisfy { child in
                        let seconds = try JSONDecoder().decode(SlowChild.Input.self, from: child.input).seconds
                        return seconds <= elapsed ? child.status.isTerminal : child.status == .waiting
                    }
                }
            }
            let outcomes = try await parent.result()

            let children = try await test.engine.listRuns(RunQuery(parentID: parent.id))
            let byInput = Dictionary(uniqueKeysWithValues: try children.map { (try JSONDecoder().decode(SlowChild.Input.self, from: $0.input).value, $0) })
            let ids = try [1, -2, 3, -4, 5].map { try #require(byInput[$0]?.id) }
            #expect(outcomes == [
                .output(2),
                .failed(child: ids[1], status: .failed, message: "negative value -2"),
                .output(6),
                .failed(child: ids[3], status: .failed, message: "negative value -4"),
                .output(10),
            ])
            let finishedAt = ids.map { id in children.first { $0.id == id }?.finishedAt }
            #expect(finishedAt == [4, 3, 2, 1, 0].map { start.addingTimeInterval($0) }, "the children finished in reverse input order")
        }
    }

    @Test(arguments: TestStore.allCases)
    func anEmptyBatchReturnsNoResults(store: TestStore) async throws {
        let empty = ClosureTask<Int, Int>("empty-batch") { _, context in
            try await context.batchTriggerAndWait(Doubler.self, inputs: []).count
        }
        try await withTestEngine(store: store, tasks: [empty, Doubler(probe: Probe())]) { test in
            let count = try await test.engine.trigger(empty, input: 0).result()
            #expect(count == 0)
        }
    }

    // MARK: Fire and forget

    @Test(arguments: TestStore.allCases)
    func triggerReturnsTheChildsIDAndTheChildCompletes(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        gate.open()
        try await withTestEngine(store: store, tasks: [FireAndForget(probe: probe, gate: gate), Doubler(probe: probe)]) { test in
            let parent = try await test.trigger(FireAndForget.self, input: [8])
            let ids = try await parent.result()
            #expect(ids.count == 1)
            let childID = try #require(ids.first)
            #expect(try await test.engine.handle(for: childID, output: Int.self).result() == 16)
            let child = try await test.engine.run(childID)
            #expect(child.parentID == parent.id)
            #expect(try await test.engine.listRuns(RunQuery(parentID: parent.id)).map(\.id) == [childID])
        }
    }

    @Test(arguments: TestStore.allCases)
    func batchTriggerReturnsIDsInInputOrder(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        gate.open()
        try await withTestEngine(store: store, tasks: [FireAndForget(probe: probe, gate: gate), Doubler(probe: probe)]) { test in
            let inputs = [5, 1, 4, 2, 3]
            let ids = try await test.trigger(FireAndForget.self, input: inputs).result()
            #expect(ids.count == inputs.count)
            var outputs: [Int] = []
            for id in ids { outputs.append(try await test.engine.handle(for: id, output: Int.self).result()) }
            #expect(outputs == inputs.map { $0 * 2 })
        }
    }

    // MARK: Replay

    @Test(arguments: TestStore.allCases)
    func replayingTheParentAfterACrashNeverTriggersChildrenTwice(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [FireAndForget(probe: probe, gate: gate), Doubler(probe: probe)]) { test in
            // Given a parent that triggered three children, which completed, and then crashed
            // in its next step (a child still in flight at the crash would rightly run again)
            let parent = try await test.trigger(FireAndForget.self, input: [1, 2, 3])
            try await eventually("the step after the trigger") { probe.count("after-trigger") == 1 }
            for child in try await test.engine.listRuns(RunQuery(parentID: parent.id)) {
                _ = try await test.engine.handle(for: child.id, output: Int.self).result()
            }
            try await test.restart()
            // When its lease expires and another engine replays it
            await test.clock.advance(by: test.configuration.leaseDuration)
            let ids = try await test.engine.handle(for: parent.id, output: [RunID].self).result()
            // Then the replay returned the journaled children and created none
            #expect(probe.count("parent-body") == 2, "the parent was replayed")
            let children = try await test.engine.listRuns(RunQuery(parentID: parent.id))
            #expect(children.count == 3)
            #expect(Set(children.map(\.id)) == Set(ids))
            for id in ids { _ = try await test.engine.handle(for: id, output: Int.self).result() }
            #expect(probe.count("double") == 3, "each child ran once")
        }
    }

    @Test(arguments: TestStore.allCases)
    func aParentWaitingOnAThousandChildrenSurvivesACrash(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        let tasks: [any TaskDefinition] = [SumDoubles(probe: probe), Doubler(probe: probe, gate: gate)]
        try await withTestEngine(store: store, tasks: tasks, configuration: .init(concurrency: 32)) { test in
            // Given a parent waiting on 1,000 children, 32 of them in flight
            let parent = try await test.trigger(SumDoubles.self, input: 1000)
            try await test.waitUntil(parent.id, is: .waiting)
            try await eventually("every slot to hold a child") { probe.count("double") == 32 }
            // When the engine crashes and a new one starts
            await test.crash()
            gate.open()
            try test.start()
            // Then, once the crashed engine's leases expire, every child completes and the parent sums them
            await test.clock.advance(by: test.configuration.leaseDuration + .seconds(1))
            let sum = try await test.engine.handle(for: parent.id, output: Int.self).result()
            #expect(sum == 2 * (0..<1000).reduce(0, +))
            let children = try await test.engine.allRuns(RunQuery(parentID: parent.id))
            #expect(children.count == 1000, "the replayed parent triggered no child twice")
            #expect(children.allSatisfy { $0.status == .completed })
            #expect(probe.count("double") == 1000 + 32, "only the 32 steps in flight at the crash ran again")
            #expect(try await test.engine.journal(parent.id).map(\.kind) == [.childrenTriggered, .waitCompleted])
        }
    }

    /// SQLite only: on PostgreSQL a debug build under the whole suite's load takes minutes
    /// (about 30,000 transactions of several round trips each); the 1,000-child crash test
    /// above covers batches there, and the benchmark harness measures 10,000.
    @Test(.timeLimit(.minutes(10)), arguments: [TestStore.sqlite])
    func aBatchOfTenThousandChildrenCompletes(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [SumDoubles(probe: probe), Doubler(probe: probe)]) { test in
            let parent = try await test.trigger(SumDoubles.self, input: 10_000)
            #expect(try await parent.result() == 2 * (0..<10_000).reduce(0, +))
            #expect(probe.count("double") == 10_000)
            let completed = try await test.engine.allRuns(RunQuery(statuses: [.completed], parentID: parent.id))
            #expect(completed.count == 10_000)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRejectedChildTriggerDoesNotUpsetTheReplay(store: TestStore) async throws {
        // A trigger rejected for its options is caught; the run goes on, sleeps past the
        // in-memory threshold and is replayed. The replay must see the same calls as the live run.
        let parent = ClosureTask<Int, [String]>("rejected-then-triggered", retryPolicy: .never) { _, context in
            let rejected = try? await context.trigger(Doubler.self, input: 1, options: .init(idempotencyKey: "k"))
            let child = try await context.trigger(Doubler.self, input: 2)
            try await context.sleep(for: .seconds(3600))
            return [rejected?.rawValue ?? "rejected", child.rawValue]
        }
        try await withTestEngine(store: store, tasks: [parent, Doubler(probe: Probe())]) { test in
            let run = try await test.engine.trigger(parent, input: 0)
            try await test.waitUntil(run.id, is: .waiting)
            await test.clock.advance(by: .seconds(3600))
            let output = try await run.result()
            let children = try await test.engine.listRuns(RunQuery(parentID: run.id))
            #expect(children.count == 1)
            #expect(output == ["rejected"] + children.map(\.id.rawValue))
        }
    }

    @Test(arguments: TestStore.allCases)
    func childRunsRejectIdempotencyKeysAndDebounce(store: TestStore) async throws {
        let parent = ClosureTask<Int, [String]>("bad-child-options", retryPolicy: .never) { _, context in
            var codes: [String] = []
            for options in [TriggerOptions(idempotencyKey: "k"), TriggerOptions(debounce: .init(key: "k", delay: .seconds(1))), TriggerOptions(delay: .seconds(-1))] {
                do {
                    try await context.trigger(Doubler.self, input: 1, options: options)
                    codes.append("accepted")
                } catch let error as KeelError {
                    codes.append(error.code.description)
                }
            }
            return codes
        }
        try await withTestEngine(store: store, tasks: [parent, Doubler(probe: Probe())]) { test in
            let run = try await test.engine.trigger(parent, input: 0)
            #expect(try await run.result() == ["invalidInput", "invalidInput", "invalidInput"])
            #expect(try await test.engine.listRuns(RunQuery(parentID: run.id)).isEmpty)
        }
    }
}
