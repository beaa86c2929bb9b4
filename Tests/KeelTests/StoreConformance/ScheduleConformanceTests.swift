import Foundation
import Keel
import KeelTesting
import Testing

/// Pins the schedule operations: upserts keep the stored next tick unless the schedule changed,
/// disabled schedules are skipped, and ``RunStore/fireSchedule(_:tick:nextFireAt:run:)`` fires a
/// tick exactly once however many engines race for it.
@Suite(.timeLimit(.minutes(2)))
struct ScheduleConformanceTests {
    private func schedule(
        _ id: String = "every-5", cron: String = "*/5 * * * *", task: String = Fixture.task, input: String = "{}", next: TimeInterval?
    ) throws -> Schedule {
        Schedule(id: id, taskName: task, cron: try CronExpression(cron), input: Fixture.json(input), nextFireAt: next.map(Fixture.at))
    }

    @Test(arguments: TestStore.allCases)
    func upsertStoresANewScheduleAndKeepsTheTickOfAnUnchangedOne(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // When a new schedule is upserted with its next tick at t+300
            let stored = try await store.upsertSchedule(try schedule(next: 300), now: Fixture.at(0))
            // Then it is stored with that tick, enabled
            #expect(stored.id == "every-5")
            #expect(stored.taskName == Fixture.task)
            #expect(stored.cron.expression == "*/5 * * * *")
            #expect(stored.input == Fixture.json("{}"))
            #expect(stored.nextFireAt == Fixture.at(300))
            #expect(stored.isEnabled)
            #expect(try await store.schedules() == [stored])
            // When it is upserted again unchanged (another engine starting) with a later tick, the stored tick stays
            let again = try await store.upsertSchedule(try schedule(next: 600), now: Fixture.at(10))
            #expect(again.nextFireAt == Fixture.at(300))
            // When its cron changes, the new tick is stored
            let changed = try await store.upsertSchedule(try schedule(cron: "0 * * * *", next: 3600), now: Fixture.at(20))
            #expect(changed.cron.expression == "0 * * * *")
            #expect(changed.nextFireAt == Fixture.at(3600))
            // When its input changes, too
            let newInput = try await store.upsertSchedule(try schedule(cron: "0 * * * *", input: #"{"a":1}"#, next: 7200), now: Fixture.at(30))
            #expect(newInput.nextFireAt == Fixture.at(7200))
            #expect(newInput.input == Fixture.json(#"{"a":1}"#))
            #expect(try await store.schedules().count == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func dueSchedulesAndNextFireTimeSkipDisabledSchedulesAndOtherTasks(store kind: TestStore) async throws {
        try await kind.withStore { store in
            _ = try await store.upsertSchedule(try schedule("a", next: 300), now: Fixture.at(0))
            _ = try await store.upsertSchedule(try schedule("b", next: 600), now: Fixture.at(0))
            _ = try await store.upsertSchedule(try schedule("other", task: Fixture.otherTask, next: 100), now: Fixture.at(0))
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(299)).isEmpty)
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(300)).map(\.id) == ["a"])
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(600)).map(\.id).sorted() == ["a", "b"])
            #expect(try await store.nextScheduleFireTime(taskNames: [Fixture.task]) == Fixture.at(300))
            #expect(try await store.nextScheduleFireTime(taskNames: [Fixture.task, Fixture.otherTask]) == Fixture.at(100))
            #expect(try await store.nextScheduleFireTime(taskNames: []) == nil)
            // When "a" is disabled (keeping its tick for display)
            let disabled = try #require(try await store.setScheduleEnabled("a", isEnabled: false, nextFireAt: Fixture.at(300), now: Fixture.at(1)))
            #expect(!disabled.isEnabled)
            #expect(disabled.nextFireAt == Fixture.at(300))
            // Then it is neither due nor next
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(600)).map(\.id) == ["b"])
            #expect(try await store.nextScheduleFireTime(taskNames: [Fixture.task]) == Fixture.at(600))
            // And an upsert (an engine starting) keeps it disabled
            let upserted = try await store.upsertSchedule(try schedule("a", next: 300), now: Fixture.at(2))
            #expect(!upserted.isEnabled)
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(600)).map(\.id) == ["b"])
            // When it is enabled again with a new tick, that tick is stored and due
            let enabled = try #require(try await store.setScheduleEnabled("a", isEnabled: true, nextFireAt: Fixture.at(900), now: Fixture.at(700)))
            #expect(enabled.isEnabled)
            #expect(enabled.nextFireAt == Fixture.at(900))
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(800)).map(\.id) == ["b"])
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(900)).map(\.id).sorted() == ["a", "b"])
            // And an unknown schedule is nil
            #expect(try await store.setScheduleEnabled("missing", isEnabled: true, nextFireAt: nil, now: Fixture.at(0)) == nil)
        }
    }

    @Test(arguments: TestStore.allCases)
    func deleteScheduleSaysWhetherItExisted(store kind: TestStore) async throws {
        try await kind.withStore { store in
            _ = try await store.upsertSchedule(try schedule("a", next: 300), now: Fixture.at(0))
            _ = try await store.upsertSchedule(try schedule("b", next: 300), now: Fixture.at(0))
            #expect(try await store.deleteSchedule("a"))
            #expect(try await store.deleteSchedule("a") == false)
            #expect(try await store.schedules().map(\.id) == ["b"])
            #expect(try await store.dueSchedules(taskNames: [Fixture.task], now: Fixture.at(300)).map(\.id) == ["b"])
        }
    }

    @Test(arguments: TestStore.allCases)
    func fireScheduleFiresATickExactlyOnceWhenTwoEnginesRace(store kind: TestStore) async throws {
        try await kind.withStore { store in
            // Given a schedule due at t+300
            _ = try await store.upsertSchedule(try schedule(next: 300), now: Fixture.at(0))
            let runA = Fixture.newRun(created: 300, scheduleID: "every-5")
            let runB = Fixture.newRun(created: 300, scheduleID: "every-5")
            // When two engines fire the tick at once
            async let firedA = store.fireSchedule("every-5", tick: Fixture.at(300), nextFireAt: Fixture.at(600), run: runA)
            async let firedB = store.fireSchedule("every-5", tick: Fixture.at(300), nextFireAt: Fixture.at(600), run: runB)
            let (a, b) = try await (firedA, firedB)
            // Then exactly one fired, creating exactly one run, and the tick moved on
            #expect([a, b].filter { $0 }.count == 1)
            let winner = a ? runA : runB
            let runs = try await store.listRuns(RunQuery(taskName: Fixture.task))
            #expect(runs.map(\.id) == [winner.id])
            #expect(runs.first?.scheduleID == "every-5")
            #expect(runs.first?.status == .queued)
            let stored = try #require(try await store.schedules().first)
            #expect(stored.nextFireAt == Fixture.at(600))
            #expect(stored.lastFireAt == Fixture.at(300))
            #expect(stored.lastRunID == winner.id)
            // And firing the old tick again does nothing
            #expect(try await store.fireSchedule("every-5", tick: Fixture.at(300), nextFireAt: Fixture.at(600), run: Fixture.newRun(created: 301)) == false)
            #expect(try await store.listRuns(RunQuery(taskName: Fixture.task)).count == 1)
            #expect(try await store.fireSchedule("missing", tick: Fixture.at(300), nextFireAt: nil, run: Fixture.newRun(created: 302)) == false)
        }
    }
}
