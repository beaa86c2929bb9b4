import Foundation
import Keel
import KeelTesting
import Testing

/// Queues and trigger options: concurrency limits (per queue, per key), priorities, delays,
/// time to live, idempotency keys, debounce, rate limits and tags.
///
/// Times are asserted on the virtual clock (`startedAt`), which moves only when the test
/// advances it, so a run that started too early shows an earlier time.
@Suite(.timeLimit(.minutes(2)))
struct SchedulingTests {
    /// Records the order runs start in and returns its input.
    struct Echo: TaskDefinition {
        static let name = "echo"
        let starts: Recorder<String>

        func run(input: String, context: TaskContext) async throws -> String {
            try await context.step("start") {
                starts.record(input)
                return input
            }
        }
    }

    /// A step that blocks on a gate, on the default queue.
    struct Blocker: TaskDefinition {
        static let name = "blocker"
        let probe: Probe
        let gate: Gate

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("blocked") { () async throws -> Int in
                probe.hit("blocked")
                try await gate.wait()
                return input
            }
        }
    }

    /// One run per tenant at a time.
    struct PerTenant: TaskDefinition {
        static let name = "per-tenant"
        static let queue: QueueDefinition? = QueueDefinition("tenants", concurrencyLimitPerKey: 1)
        let probe: Probe

        func run(input: String, context: TaskContext) async throws -> String {
            try await context.step("work") {
                probe.gauge("tenant \(input)", 1)
                probe.gauge("all", 1)
                defer {
                    probe.gauge("all", -1)
                    probe.gauge("tenant \(input)", -1)
                }
                try await Task.sleep(for: .milliseconds(3))
                return input
            }
        }
    }

    /// At most two runs at a time.
    struct Pair: TaskDefinition {
        static let name = "pair"
        static let queue: QueueDefinition? = QueueDefinition("pairs", concurrencyLimit: 2)
        let probe: Probe

        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("work") {
                probe.gauge("running", 1)
                defer { probe.gauge("running", -1) }
                try await Task.sleep(for: .milliseconds(5))
                return input
            }
        }
    }

    /// One run at a time, each blocking on a gate on its first attempt.
    struct SingleFile: TaskDefinition {
        static let name = "single-file"
        static let queue: QueueDefinition? = QueueDefinition("single", concurrencyLimit: 1, concurrencyLimitPerKey: 1)
        let probe: Probe
        let gate: Gate

        func run(input: String, context: TaskContext) async throws -> String {
            try await context.step("work") { () async throws -> String in
                if probe.hit("work \(input)") == 1 { try await gate.wait() }
                return input
            }
        }
    }

    /// Two starts per minute.
    struct Rated: TaskDefinition {
        static let name = "rated"
        static let queue: QueueDefinition? = QueueDefinition("rated", rateLimit: .init(limit: 2, period: .seconds(60)))
        let starts: Recorder<String>

        func run(input: String, context: TaskContext) async throws -> String {
            try await context.step("start") {
                starts.record(input)
                return input
            }
        }
    }

    /// Gives the engine a chance to do what it should not (start a run too early); the
    /// assertion that follows is about state, not timing.
    func settle() async throws {
        try await Task.sleep(for: .milliseconds(50))
    }

    // MARK: Concurrency limits

    @Test(arguments: TestStore.allCases)
    func perKeyConcurrencyIsNeverExceededUnder200ConcurrentTriggers(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [PerTenant(probe: probe)]) { test in
            let keys = (0..<4).map { "tenant-\($0)" }
            let handles = try await withThrowingTaskGroup(of: RunHandle<String>.self) { group in
                for index in 0..<200 {
                    let key = keys[index % keys.count]
                    group.addTask { try await test.trigger(PerTenant.self, input: key, options: .init(concurrencyKey: key)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(handles.count == 200)
            var completed: [String: Int] = [:]
            for handle in handles { completed[try await handle.result(), default: 0] += 1 }
            #expect(completed == Dictionary(uniqueKeysWithValues: keys.map { ($0, 50) }))
            for key in keys {
                #expect(probe.maximum("tenant \(key)") == 1, "\(key) ran \(probe.maximum("tenant \(key)")) at once")
            }
            #expect(probe.maximum("all") > 1, "different keys run side by side")
        }
    }

    /// One run per tenant at a time; the tenant "noisy" blocks on a gate.
    struct Tenant: TaskDefinition {
        static let name = "tenant"
        static let queue: QueueDefinition? = QueueDefinition("tenant-queue", concurrencyLimitPerKey: 1)
        let probe: Probe
        let gate: Gate

        func run(input: String, context: TaskContext) async throws -> String {
            try await context.step("work") { () async throws -> String in
                probe.hit(input)
                if input == "noisy" { try await gate.wait() }
                return input
            }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aTenantsBacklogDoesNotStarveOtherTenants(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        let backlog = ClosureTask<Int, Int>("backlog") { count, context in
            try await context.batchTrigger(Tenant.self, inputs: Array(repeating: "noisy", count: count), options: .init(concurrencyKey: "noisy")).count
        }
        try await withTestEngine(store: store, tasks: [Tenant(probe: probe, gate: gate), backlog]) { test in
            // Given 5,000 runs of one tenant queued ahead (created in one transaction, as the
            // children of a run), the first of them running
            #expect(try await test.engine.trigger(backlog, input: 5000).result() == 5000)
            try await eventually("the first noisy run to start") { probe.count("noisy") == 1 }
            // When another tenant triggers a run
            let quiet = try await test.trigger(Tenant.self, input: "quiet", options: .init(concurrencyKey: "quiet"))
            // Then it runs at once, behind no one
            try await test.waitUntil(quiet.id, is: .completed)
            #expect(try await quiet.result() == "quiet")
            #expect(probe.count("noisy") == 1)
            gate.open()
        }
    }

    @Test(arguments: TestStore.allCases)
    func queueConcurrencyLimitIsNeverExceeded(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Pair(probe: probe)]) { test in
            var handles: [RunHandle<Int>] = []
            for index in 0..<20 { handles.append(try await test.trigger(Pair.self, input: index)) }
            var sum = 0
            for handle in handles { sum += try await handle.result() }
            #expect(sum == (0..<20).reduce(0, +))
            #expect(probe.maximum("running") == 2)
        }
    }

    @Test(arguments: TestStore.allCases)
    func aLimitedQueuesRunHeldByACrashedWorkerIsReclaimed(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [SingleFile(probe: probe, gate: gate)]) { test in
            // Given the only run its queue allows, held by a worker that dies mid-step
            let run = try await test.trigger(SingleFile.self, input: "a", options: .init(concurrencyKey: "k"))
            try await eventually("the step to start") { probe.count("work a") == 1 }
            try await test.restart()
            // When its lease expires, the dead worker's claim no longer counts against the limits
            await test.clock.advance(by: test.configuration.leaseDuration + .seconds(1))
            #expect(try await test.engine.handle(for: run.id, output: String.self).result() == "a")
            #expect(probe.count("work a") == 2)
        }
    }

    // MARK: Priority and delays

    @Test(arguments: TestStore.allCases)
    func priorityIsATimeOffsetInClaimOrder(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Blocker(probe: probe, gate: gate), Echo(starts: starts)], configuration: .init(concurrency: 1)) { test in
            // The only slot is busy while the runs queue up.
            let blocker = try await test.trigger(Blocker.self, input: 0)
            try await eventually("the blocker to start") { probe.count("blocked") == 1 }
            let old = try await test.trigger(Echo.self, input: "old")
            await test.clock.advance(by: .seconds(90))
            let plain = try await test.trigger(Echo.self, input: "plain")
            await test.clock.advance(by: .seconds(1))
            let ahead60 = try await test.trigger(Echo.self, input: "ahead-60s", options: .init(priority: .seconds(60)))
            await test.clock.advance(by: .seconds(1))
            let ahead120 = try await test.trigger(Echo.self, input: "ahead-120s", options: .init(priority: .seconds(120)))
            #expect(try await ahead60.record().priority == .seconds(60))
            try await settle()
            #expect(starts.all.isEmpty)

            gate.open()
            #expect(try await blocker.result() == 0)
            for handle in [old, plain, ahead60, ahead120] { _ = try await handle.result() }
            // 120 s ahead passes the run queued 92 s before it; 60 s ahead passes the run queued
            // 1 s before it but not the one queued 91 s before it.
            #expect(starts.all == ["ahead-120s", "old", "ahead-60s", "plain"])
        }
    }

    @Test(arguments: TestStore.allCases)
    func aDelayedRunStartsOnlyWhenTheClockReachesItsTime(store: TestStore) async throws {
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Echo(starts: starts)]) { test in
            let start = test.clock.now()
            let delayed = try await test.trigger(Echo.self, input: "delayed", options: .init(delay: .seconds(60)))
            let scheduled = try await test.trigger(Echo.self, input: "scheduled", options: .init(startAt: start.addingTimeInterval(3600)))
            await test.clock.advance(by: .seconds(59))
            try await settle()
            #expect(try await delayed.status() == .queued)
            #expect(starts.all.isEmpty)

            await test.clock.advance(by: .seconds(1))
            #expect(try await delayed.result() == "delayed")
            #expect(try await delayed.record().startedAt == start.addingTimeInterval(60))
            #expect(try await scheduled.status() == .queued)

            await test.clock.advance(by: .seconds(3540))
            #expect(try await scheduled.result() == "scheduled")
            #expect(try await scheduled.record().startedAt == start.addingTimeInterval(3600))
        }
    }

    // MARK: Time to live

    @Test(arguments: TestStore.allCases)
    func aRunNotStartedWithinItsTimeToLiveExpires(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        try await withTestEngine(store: store, tasks: [SingleFile(probe: probe, gate: gate)]) { test in
            // The queue runs one at a time and its one run is blocked
            let blocker = try await test.trigger(SingleFile.self, input: "blocker")
            try await eventually("the blocker to start") { probe.count("work blocker") == 1 }
            let late = try await test.trigger(SingleFile.self, input: "late", options: .init(timeToLive: .seconds(10)))
            await test.clock.advance(by: .seconds(9))
            try await settle()
            #expect(try await late.status() == .queued, "still within its time to live")

            await test.clock.advance(by: .seconds(1))
            let error = try await #require(throws: RunFailedError.self) { try await late.result() }
            #expect(error.status == .expired)
            let journal = try await test.engine.journal(late.id)
            #expect(journal.map(\.kind) == [.runExpired])
            let record = try await late.record()
            #expect(record.status == .expired)
            #expect(record.startedAt == nil)

            gate.open()
            #expect(try await blocker.result() == "blocker")
            #expect(probe.count("work late") == 0, "an expired run never starts")
        }
    }

    @Test(arguments: TestStore.allCases)
    func aRunExpiresWhileEveryWorkerSlotIsBusy(store: TestStore) async throws {
        let probe = Probe()
        let gate = Gate()
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Blocker(probe: probe, gate: gate), Echo(starts: starts)], configuration: .init(concurrency: 1)) { test in
            _ = try await test.trigger(Blocker.self, input: 0)
            try await eventually("the blocker to start") { probe.count("blocked") == 1 }
            let late = try await test.trigger(Echo.self, input: "late", options: .init(timeToLive: .seconds(10)))
            await test.clock.advance(by: .seconds(10))
            try await eventually("the run to expire") { try await late.status() == .expired }
            gate.open()
            let error = try await #require(throws: RunFailedError.self) { try await late.result() }
            #expect(error.status == .expired)
            #expect(starts.all.isEmpty)
        }
    }

    // MARK: Idempotency and debounce

    @Test(arguments: TestStore.allCases)
    func aSecondTriggerWithTheSameIdempotencyKeyReturnsTheFirstRunUntilTheKeyExpires(store: TestStore) async throws {
        let starts = Recorder<String>()
        let other = ClosureTask<String, String>("other-task") { input, _ in input }
        try await withTestEngine(store: store, tasks: [Echo(starts: starts), other]) { test in
            let options = TriggerOptions(idempotencyKey: "order-1", idempotencyKeyTTL: .seconds(60))
            let first = try await test.trigger(Echo.self, input: "first", options: options)
            let again = try await test.trigger(Echo.self, input: "again", options: options)
            #expect(again.id == first.id)
            #expect(try await again.result() == "first")
            #expect(try await test.trigger(Echo.self, input: "after-completion", options: options).id == first.id)
            #expect(try await first.record().idempotencyKey == "order-1")

            // The key belongs to the task: another task's run with the same key is its own.
            let otherRun = try await test.engine.trigger(other, input: "x", options: options)
            #expect(otherRun.id != first.id)
            #expect(try await otherRun.result() == "x")

            // Once the key's time to live has passed, the same key creates a new run.
            await test.clock.advance(by: .seconds(60))
            let fresh = try await test.trigger(Echo.self, input: "fresh", options: options)
            #expect(fresh.id != first.id)
            #expect(try await fresh.result() == "fresh")
            #expect(starts.all == ["first", "fresh"])
            #expect(try await test.engine.listRuns(RunQuery(taskName: Echo.name)).count == 2)
        }
    }

    @Test(arguments: TestStore.allCases)
    func concurrentTriggersWithOneIdempotencyKeyCreateOneRun(store: TestStore) async throws {
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Echo(starts: starts)]) { test in
            let ids = try await withThrowingTaskGroup(of: RunID.self) { group in
                for index in 0..<20 {
                    group.addTask { try await test.trigger(Echo.self, input: "\(index)", options: .init(idempotencyKey: "payment-9")).id }
                }
                return try await group.reduce(into: Set<RunID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let id = try #require(ids.first)
            _ = try await test.engine.handle(for: id, output: String.self).result()
            #expect(starts.all.count == 1)
            #expect(try await test.engine.listRuns(RunQuery(taskName: Echo.name)).count == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func anIdempotencyKeyHoldsForADayByDefault(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Echo(starts: Recorder())]) { test in
            let options = TriggerOptions(idempotencyKey: "order-2")
            let first = try await test.trigger(Echo.self, input: "first", options: options)
            #expect(try await first.result() == "first")
            await test.clock.advance(by: .seconds(24 * 3600 - 1))
            #expect(try await test.trigger(Echo.self, input: "second", options: options).id == first.id)
            await test.clock.advance(by: .seconds(1))
            #expect(try await test.trigger(Echo.self, input: "third", options: options).id != first.id)
        }
    }

    @Test(arguments: TestStore.allCases)
    func debouncedTriggersCollapseIntoOneRunWithTheLastInput(store: TestStore) async throws {
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Echo(starts: starts)]) { test in
            let options = TriggerOptions(debounce: .init(key: "user-1", delay: .seconds(10)))
            let first = try await test.trigger(Echo.self, input: "first", options: options)
            // Another key is another run, due 10 s after its own trigger
            let otherKey = try await test.trigger(Echo.self, input: "other", options: .init(debounce: .init(key: "user-2", delay: .seconds(10))))
            #expect(otherKey.id != first.id)
            await test.clock.advance(by: .seconds(2))
            let second = try await test.trigger(Echo.self, input: "second", options: options)
            await test.clock.advance(by: .seconds(2))
            let lastTrigger = test.clock.now()
            let third = try await test.trigger(Echo.self, input: "third", options: options)
            #expect(second.id == first.id)
            #expect(third.id == first.id)

            // Not before `delay` after the last trigger
            await test.clock.advance(by: .seconds(9))
            #expect(try await otherKey.result() == "other")
            try await settle()
            #expect(try await first.status() == .queued)
            #expect(starts.all == ["other"])

            await test.clock.advance(by: .seconds(1))
            #expect(try await first.result() == "third")
            #expect(try await first.record().startedAt == lastTrigger.addingTimeInterval(10))
            #expect(starts.all == ["other", "third"])
            #expect(try await test.engine.listRuns(RunQuery(taskName: Echo.name)).count == 2)

            // Once the run has started, the key starts a new run
            let next = try await test.trigger(Echo.self, input: "next", options: options)
            #expect(next.id != first.id)
        }
    }

    // MARK: Rate limits

    @Test(arguments: TestStore.allCases)
    func aRateLimitStartsAtMostTwoRunsPerMinute(store: TestStore) async throws {
        let starts = Recorder<String>()
        try await withTestEngine(store: store, tasks: [Rated(starts: starts)]) { test in
            let start = test.clock.now()
            let first = try await test.trigger(Rated.self, input: "1")
            let second = try await test.trigger(Rated.self, input: "2")
            let third = try await test.trigger(Rated.self, input: "3")
            #expect(try await first.result() == "1")
            #expect(try await second.result() == "2")
            await test.clock.advance(by: .seconds(30))
            try await settle()
            #expect(try await third.status() == .queued)
            #expect(starts.all.count == 2)

            await test.clock.advance(by: .seconds(30))
            #expect(try await third.result() == "3")
            #expect(try await first.record().startedAt == start)
            #expect(try await second.record().startedAt == start)
            #expect(try await third.record().startedAt == start.addingTimeInterval(60))
        }
    }

    // MARK: Tags

    @Test(arguments: TestStore.allCases)
    func runsAreFoundByTag(store: TestStore) async throws {
        try await withTestEngine(store: store, tasks: [Echo(starts: Recorder())]) { test in
            let vip = try await test.trigger(Echo.self, input: "a", options: .init(tags: ["tenant:acme", "vip"]))
            let acme = try await test.trigger(Echo.self, input: "b", options: .init(tags: ["tenant:acme"]))
            let untagged = try await test.trigger(Echo.self, input: "c")
            for handle in [vip, acme, untagged] { _ = try await handle.result() }

            #expect(try await vip.record().tags == ["tenant:acme", "vip"])
            #expect(try await test.engine.listRuns(RunQuery(tag: "vip")).map(\.id) == [vip.id])
            #expect(Set(try await test.engine.listRuns(RunQuery(tag: "tenant:acme")).map(\.id)) == [vip.id, acme.id])
            #expect(try await test.engine.listRuns(RunQuery(tag: "vi")).isEmpty, "tags match whole")
            #expect(try await test.engine.listRuns(RunQuery(tag: "tenant:acme", parentID: vip.id)).isEmpty)
        }
    }

    // MARK: Bad options

    @Test(arguments: [
        (TriggerOptions(delay: .seconds(-1)), "trigger option delay must not be negative"),
        (TriggerOptions(timeToLive: .seconds(-5)), "trigger option timeToLive must not be negative"),
        (TriggerOptions(timeToLive: .zero), "trigger option timeToLive must be positive"),
        (TriggerOptions(idempotencyKeyTTL: .seconds(-1)), "trigger option idempotencyKeyTTL must not be negative"),
        (TriggerOptions(debounce: .init(key: "k", delay: .seconds(-1))), "trigger option debounce.delay must not be negative"),
        (TriggerOptions(queue: ""), "trigger option queue must not be empty"),
        (TriggerOptions(concurrencyKey: ""), "trigger option concurrencyKey must not be empty"),
        (TriggerOptions(idempotencyKey: ""), "trigger option idempotencyKey must not be empty"),
        (TriggerOptions(debounce: .init(key: "", delay: .seconds(1))), "trigger option debounce.key must not be empty"),
        (TriggerOptions(idempotencyKey: "k", debounce: .init(key: "k", delay: .seconds(1))), "trigger options idempotencyKey and debounce cannot be combined"),
    ])
    func badTriggerOptionsAreRejectedAndWriteNothing(options: TriggerOptions, message: String) async throws {
        try await withTestEngine(tasks: [Echo(starts: Recorder())]) { test in
            let typed = try await #require(throws: KeelError.self) { try await test.trigger(Echo.self, input: "x", options: options) }
            #expect(typed.code == .invalidInput)
            #expect(typed.message.hasPrefix(message), "\(typed.message)")
            let byName = try await #require(throws: KeelError.self) {
                try await test.engine.trigger(taskName: Echo.name, input: Data(#""x""#.utf8), options: options)
            }
            #expect(byName.code == .invalidInput)
            #expect(try await test.engine.listRuns().isEmpty)
        }
    }

    @Test func badQueueLimitsAreAConfigurationError() throws {
        var configuration = KeelEngine.Configuration()
        configuration.queues = [QueueDefinition("q", concurrencyLimit: 0)]
        let error = #expect(throws: KeelError.self) {
            try KeelEngine(configuration: configuration, store: try SQLiteStoreFixture.temporary(), tasks: [Echo(starts: Recorder())], logger: .keelTest)
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message == "queue 'q': concurrencyLimit must be at least 1, got 0")
    }
}
