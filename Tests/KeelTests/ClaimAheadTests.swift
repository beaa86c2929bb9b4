import Foundation
import Synchronization
import Keel
import KeelTesting
import Testing

/// A worker claims due runs beyond its free slots (``KeelEngine/Configuration/claimAhead``),
/// holds their leases, and starts them as slots free.
@Suite(.timeLimit(.minutes(2)))
struct ClaimAheadTests {
    /// One step that waits at the gate.
    struct Blocked: TaskDefinition {
        static let name = "blocked"
        let probe: Probe
        let gate: Gate

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("work") {
                probe.hit("started")
                probe.hit("started \(input)")
                probe.gauge("running", 1)
                defer { probe.gauge("running", -1) }
                try await gate.wait()
                return input
            }
        }
    }

    static let configuration: KeelEngine.Configuration = {
        var configuration = KeelEngine.Configuration(concurrency: 2)
        configuration.claimAhead = 2
        return configuration
    }()

    /// The runs leased to the running engine's worker, and those queued without a lease.
    func leasedAndQueued(_ test: TestEngine) async throws -> (leased: [RunRecord], queued: [RunRecord]) {
        let runs = try await test.engine.allRuns(RunQuery())
        let worker = test.engine.configuration.workerID
        return (runs.filter { $0.leaseOwner == worker && $0.status == .running }, runs.filter { $0.status == .queued && $0.leaseOwner == nil })
    }

    /// Triggers 6 runs that block, and waits until 2 execute (held in their step) and 2 more are leased without starting.
    func triggerSixAndWaitForTwoClaimedAhead(_ test: TestEngine, probe: Probe) async throws -> [RunHandle<Int>] {
        var handles: [RunHandle<Int>] = []
        for index in 0..<6 { handles.append(try await test.trigger(Blocked.self, input: index)) }
        try await eventually("4 runs leased to the worker, 2 of them in their step") {
            try await leasedAndQueued(test).leased.count == 4 && probe.count("started") == 2
        }
        return handles
    }

    /// A run leased to the worker whose step has not started, and what `probe` counts its start as.
    func aRunClaimedAhead(_ test: TestEngine, probe: Probe) async throws -> (id: RunID, start: String) {
        let records = try await test.engine.allRuns(RunQuery())
        let starts = Dictionary(uniqueKeysWithValues: records.map { ($0.id, "started \(String(decoding: $0.input, as: UTF8.self))") })
        let ahead = try #require(try await leasedAndQueued(test).leased.first { probe.count(starts[$0.id] ?? "") == 0 })
        return (ahead.id, starts[ahead.id] ?? "")
    }

    @Test(arguments: TestStore.allCases)
    func aWorkerHoldsRunsClaimedAheadAndStartsThemAsSlotsFree(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [Blocked(probe: probe, gate: gate)], configuration: Self.configuration) { test in
            // Given a worker of 2 slots that claims 2 runs ahead, and 6 runs that block
            let handles = try await triggerSixAndWaitForTwoClaimedAhead(test, probe: probe)
            // Then 2 execute, 2 more are leased to it without starting, and 2 stay queued
            #expect(probe.count("started") == 2)
            #expect(try await leasedAndQueued(test).queued.count == 2)

            // And the heartbeat renews the leases of the runs claimed ahead too
            let before = try await leasedAndQueued(test).leased
            await test.clock.advance(by: test.configuration.heartbeatInterval + .seconds(1))
            try await eventually("the leases renewed") {
                let after = try await leasedAndQueued(test).leased
                return after.count == 4 && zip(before.sorted { $0.id.rawValue < $1.id.rawValue }, after.sorted { $0.id.rawValue < $1.id.rawValue })
                    .allSatisfy { ($1.leaseExpiresAt ?? .distantPast) > ($0.leaseExpiresAt ?? .distantFuture) }
            }

            // When the runs may finish, every one completes, never more than 2 at once
            gate.open()
            var outputs: [Int] = []
            for handle in handles { outputs.append(try await handle.result()) }
            #expect(outputs == Array(0..<6))
            #expect(probe.count("started") == 6)
            #expect(probe.maximum("running") <= 2)
        }
    }

    /// One step that waits for a pass through the turnstile.
    struct OneByOne: TaskDefinition {
        static let name = "one-by-one"
        let turnstile: Turnstile

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("work") {
                try await turnstile.pass()
                return input
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func runsClaimedAheadAreToppedUpOnceHalfOfThemHaveStarted(store: TestStore) async throws {
        let turnstile = Turnstile()
        let observed = Mutex<FaultyStore?>(nil)
        var configuration = KeelEngine.Configuration(concurrency: 1)
        configuration.claimAhead = 4
        try await withTestEngine(store: store, tasks: [OneByOne(turnstile: turnstile)], configuration: configuration, wrappingStore: { base in
            let wrapped = FaultyStore(base)
            observed.withLock { $0 = wrapped }
            return wrapped
        }) { test in
            // Given a worker of 1 slot that claims 4 runs ahead, and 12 runs due at once: it holds
            // the run in its slot and 4 ahead, or 3 when its slot was busy when it claimed and it
            // started one of the 4 since (3 of 4 is not low enough to claim again)
            let ids = try await test.engine.batchTrigger(taskName: OneByOne.name, inputs: (0..<12).map { Data("\($0)".utf8) })
            try await eventually("4 or 5 runs leased to the worker") { try await leasedAndQueued(test).leased.count >= 4 }
            try await Task.sleep(for: .milliseconds(50))
            let store = try #require(observed.withLock { $0 })
            let claimsBefore = store.claimLimits.filter { $0 > 0 }.count

            // When runs finish one at a time, each given time to start the next
            for round in 1...3 {
                turnstile.open(1)
                try await eventually("\(round) runs finished") {
                    var completed = 0
                    for id in ids where try await test.engine.run(id).status == .completed { completed += 1 }
                    return completed == round
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            // Then the first finish (3 runs left ahead) claims nothing; the second (2 left) claims 2
            let claims = store.claimLimits.filter { $0 > 0 }
            #expect(Array(claims.dropFirst(claimsBefore)).allSatisfy { $0 >= 2 }, "claim limits: \(claims)")
            turnstile.open(12)
            for id in ids { try await test.waitUntil(id, is: .completed) }
        }
    }

    @Test(arguments: TestStore.allCases)
    func runsClaimedAheadGoBackToTheQueueWhenTheWorkerStops(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        var configuration = Self.configuration
        configuration.shutdownGracePeriod = .milliseconds(200)
        try await withTestEngine(store: store, tasks: [Blocked(probe: probe, gate: gate)], configuration: configuration) { test in
            // Given 2 runs executing (held in their step) and 2 claimed ahead
            let ids = try await triggerSixAndWaitForTwoClaimedAhead(test, probe: probe).map(\.id)
            // When the worker shuts down gracefully (the held steps are cancelled after the grace period)
            try await test.shutdown()
            // Then the runs claimed ahead never started, and every run is queued again, with no lease
            #expect(probe.count("started") == 2)
            for id in ids {
                let record = try await test.store.run(id)
                #expect(record?.leaseOwner == nil)
                #expect(record?.status == .queued)
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aCancelledRunClaimedAheadNeverStarts(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [Blocked(probe: probe, gate: gate)], configuration: Self.configuration) { test in
            // Given 2 runs executing and 2 claimed ahead
            let handles = try await triggerSixAndWaitForTwoClaimedAhead(test, probe: probe)
            let ahead = try await aRunClaimedAhead(test, probe: probe)
            // When one of those is cancelled, and the others may finish
            try await test.engine.cancel(ahead.id)
            gate.open()
            // Then it never started, and every other run completes
            for handle in handles where handle.id != ahead.id { _ = try await handle.result() }
            #expect(probe.count(ahead.start) == 0)
            #expect(probe.count("started") == 5)
            #expect(try await test.engine.run(ahead.id).status == .cancelled)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunClaimedAheadAndCancelledFromAnotherProcessNeverStarts(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [Blocked(probe: probe, gate: gate)], configuration: Self.configuration) { test in
            // Given 2 runs executing and 2 claimed ahead
            let handles = try await triggerSixAndWaitForTwoClaimedAhead(test, probe: probe)
            let ahead = try await aRunClaimedAhead(test, probe: probe)
            // When another process (an engine on the same store) cancels one of them, and a
            // while later the runs in flight finish
            let other = try KeelEngine(store: test.store, tasks: test.tasks, clock: test.clock, logger: .keelTest)
            try await other.cancel(ahead.id)
            try await Task.sleep(for: .milliseconds(150))
            gate.open()
            // Then it never started here, and every other run completes
            for handle in handles where handle.id != ahead.id { _ = try await handle.result() }
            #expect(probe.count(ahead.start) == 0)
            #expect(try await test.engine.run(ahead.id).status == .cancelled)
        }
    }

    @Test(arguments: TestStore.allCases)
    func withClaimAheadZeroOnlyFreeSlotsAreClaimed(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        var configuration = Self.configuration
        configuration.claimAhead = 0
        try await withTestEngine(store: store, tasks: [Blocked(probe: probe, gate: gate)], configuration: configuration) { test in
            for index in 0..<6 { try await test.trigger(Blocked.self, input: index) }
            try await eventually("2 runs started") { probe.count("started") == 2 }
            try await Task.sleep(for: .milliseconds(50))
            let (leased, queued) = try await leasedAndQueued(test)
            #expect(leased.count == 2)
            #expect(queued.count == 4)
            gate.open()
        }
    }
}
