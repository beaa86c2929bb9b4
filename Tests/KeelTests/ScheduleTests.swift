import Foundation
import Keel
import KeelTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ScheduleTests {
    struct Report: TaskDefinition {
        struct Input: Codable, Sendable { var kind: String }
        static let name = "report"
        static var schedules: [CronSchedule<Input>] { [CronSchedule("*/15 * * * *", input: .init(kind: "quarter-hourly"))] }
        let probe: Probe

        func run(input: Input, context: TaskContext) async throws -> String {
            try await context.step("render") {
                probe.hit(input.kind)
                return input.kind
            }
        }
    }

    /// 2026-01-05 09:00 UTC, a Monday.
    static let start = Date(timeIntervalSince1970: 1_767_603_600)

    @Test(arguments: TestStore.allCases)
    func aDeclaredScheduleFiresOncePerTickEvenWithTwoEngines(store: TestStore) async throws {
        let probe = Probe()
        // Leases longer than the test's clock jumps, so no run is reclaimed (and re-executed) by
        // the other engine while its own heartbeat waits for the next tick.
        let configuration = KeelEngine.Configuration(leaseDuration: .seconds(7200))
        try await withTestEngine(store: store, tasks: [Report(probe: probe)], configuration: configuration, clock: VirtualClock(start: Self.start)) { test in
            // A second engine shares the store and the clock: both see every tick.
            let other = try KeelEngine(configuration: configuration, store: test.store, tasks: test.tasks, clock: test.clock, logger: .keelTest)
            let otherService = Task { try await other.run() }
            defer { otherService.cancel() }
            try await eventually("the declared schedule") { try await test.engine.schedules().first?.nextFireAt != nil }
            let schedule = try #require(try await test.engine.schedules().first)
            #expect(schedule.id == "report#0")
            #expect(schedule.isDeclared)
            #expect(schedule.nextFireAt == Self.start.addingTimeInterval(15 * 60))
            // Four ticks, each seen by both engines before the clock moves on (a tick missed
            // while no engine looked is not made up, by design).
            for tick in 1...4 {
                await test.clock.advance(by: .seconds(15 * 60))
                try await eventually("run \(tick)") { probe.count("quarter-hourly") == tick }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(50))
            let runs = try await test.engine.listRuns(RunQuery(taskName: "report"))
            #expect(runs.count == 4, "one run per tick, though two engines check the schedule")
            #expect(Set(runs.compactMap(\.scheduleID)) == ["report#0"])
            #expect(probe.count("quarter-hourly") == 4)
        }
    }

    @Test(arguments: TestStore.allCases)
    func schedulesCreatedAtRuntimeFireAndCanBeDeleted(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Report(probe: probe)], clock: VirtualClock(start: Self.start)) { test in
            let created = try await test.engine.createSchedule(
                id: "daily-paris", taskName: "report", cron: "0 10 * * *", timeZone: "Europe/Paris", input: Data(#"{"kind":"daily"}"#.utf8)
            )
            // 10:00 in Paris is 09:00 UTC in winter: the next tick is the next day.
            #expect(created.nextFireAt == Self.start.addingTimeInterval(24 * 3600))
            await test.clock.advance(by: .seconds(24 * 3600))
            do {
                try await eventually("the daily run", seconds: 30) { probe.count("daily") == 1 }
            } catch {
                // What the store and the clock hold, to tell a schedule not fired from a run not started.
                let runs = try await test.store.listRuns(RunQuery(limit: 50)).map { "\($0.taskName) \($0.status) lease \($0.leaseOwner ?? "none")" }
                let schedules = try await test.store.schedules().map { "\($0.id) next \($0.nextFireAt.map { "\($0)" } ?? "none")" }
                Issue.record("runs: \(runs); schedules: \(schedules); clock \(test.clock.now()), next sleeper \(test.clock.nextDeadline.map { "\($0)" } ?? "none")")
                throw error
            }
            try await test.engine.deleteSchedule("daily-paris")
            #expect(try await test.engine.schedules().map(\.id) == ["report#0"])
            await #expect(throws: KeelError.self) { try await test.engine.deleteSchedule("daily-paris") }
        }
    }

    @Test(arguments: TestStore.allCases)
    func aDisabledScheduleDoesNotFireUntilEnabledAgain(store: TestStore) async throws {
        let probe = Probe()
        try await withTestEngine(store: store, tasks: [Report(probe: probe)], clock: VirtualClock(start: Self.start)) { test in
            try await test.engine.createSchedule(id: "hourly", taskName: "report", cron: "0 * * * *", input: Data(#"{"kind":"hourly"}"#.utf8))
            let disabled = try await test.engine.setScheduleEnabled("hourly", false)
            #expect(!disabled.isEnabled)
            await test.clock.advance(by: .seconds(3 * 3600))
            try await Task.sleep(for: .milliseconds(100))
            #expect(probe.count("hourly") == 0, "a disabled schedule fired")
            // Re-declaring or re-creating keeps the stored flag off.
            #expect(try await test.engine.schedules().first { $0.id == "hourly" }?.isEnabled == false)
            let enabled = try await test.engine.setScheduleEnabled("hourly", true)
            #expect(enabled.isEnabled)
            #expect(enabled.nextFireAt == Self.start.addingTimeInterval(4 * 3600), "missed ticks are not made up")
            await test.clock.advance(by: .seconds(3600))
            try await eventually("the first tick after enabling", seconds: 30) { probe.count("hourly") == 1 }
            await #expect(throws: KeelError.self) { try await test.engine.setScheduleEnabled("missing", true) }
        }
    }

    @Test(arguments: [
        ("61 * * * *", "UTC", "minute value 61 is out of range 0-59"),
        ("* * * *", "UTC", "got 4"),
        ("0 9 * * *", "Mars/Olympus", "Mars/Olympus"),
    ])
    func aBadCronExpressionIsAClearError(expression: String, timeZone: String, message: String) async throws {
        try await withTestEngine(tasks: [Report(probe: Probe())]) { test in
            try await eventually("the declared schedule") { try await !test.engine.schedules().isEmpty }
            let error = try await #require(throws: KeelError.self) {
                try await test.engine.createSchedule(id: "bad", taskName: "report", cron: expression, timeZone: timeZone, input: Data(#"{"kind":"x"}"#.utf8))
            }
            #expect(error.code == .invalidInput)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(try await test.engine.schedules().map(\.id) == ["report#0"], "nothing was written")
        }
    }
}
