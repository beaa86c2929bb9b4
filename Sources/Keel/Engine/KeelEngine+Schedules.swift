public import Foundation
import Synchronization
import Logging

extension KeelEngine {
    /// Creates (or replaces) the cron schedule `id` that triggers `taskName` with `input` (JSON).
    /// - Throws: ``KeelError`` with ``KeelError/Code/invalidInput`` naming what is wrong with a
    ///   bad cron expression, time zone or input; ``KeelError/Code/unknownTask``.
    @discardableResult
    public func createSchedule(id: String, taskName: String, cron expression: String, timeZone: String = "UTC", input: Data) async throws -> Schedule {
        guard !id.isEmpty else { throw KeelError(.invalidInput, "a schedule id must not be empty") }
        let task = try registry.task(named: taskName)
        try checkPayloadSize(input, what: "the input of schedule '\(id)'")
        try task.validateInput(input)
        let cron: CronExpression
        do {
            cron = try CronExpression(expression, timeZoneIdentifier: timeZone)
        } catch {
            throw KeelError(.invalidInput, "\(error)", underlying: error)
        }
        let schedule = try await upsert(Schedule(id: id, taskName: taskName, cron: cron, input: input))
        state.withLock { $0.scheduleCheckAt = .distantPast }
        workAvailable.notify(0)
        return schedule
    }

    /// Every schedule in the store.
    public func schedules() async throws -> [Schedule] {
        try await store.schedules()
    }

    /// Deletes the schedule `id`; runs it created are kept.
    /// - Throws: ``KeelError/Code/scheduleNotFound``.
    public func deleteSchedule(_ id: String) async throws {
        guard try await store.deleteSchedule(id) else { throw KeelError(.scheduleNotFound, "no schedule with id '\(id)'") }
    }

    /// Enables or disables the schedule `id`. An enabled schedule fires next at the first tick
    /// after now: ticks missed while it was disabled are not made up.
    /// - Returns: the schedule as stored.
    /// - Throws: ``KeelError/Code/scheduleNotFound``.
    @discardableResult
    public func setScheduleEnabled(_ id: String, _ isEnabled: Bool) async throws -> Schedule {
        guard let current = try await store.schedules().first(where: { $0.id == id }) else {
            throw KeelError(.scheduleNotFound, "no schedule with id '\(id)'")
        }
        let now = clock.now()
        let next = isEnabled ? current.cron.nextDate(after: now) : current.nextFireAt
        guard let schedule = try await store.setScheduleEnabled(id, isEnabled: isEnabled, nextFireAt: next, now: now) else {
            throw KeelError(.scheduleNotFound, "no schedule with id '\(id)'")
        }
        if isEnabled {
            state.withLock { $0.scheduleCheckAt = .distantPast }
            workAvailable.notify(0)
        }
        return schedule
    }

    /// Writes the schedules the tasks declare (once, when the engine starts).
    func upsertDeclaredSchedules() async throws {
        for task in registry.all {
            for schedule in task.schedules { _ = try await upsert(schedule) }
        }
    }

    private func upsert(_ schedule: Schedule) async throws -> Schedule {
        var schedule = schedule
        let now = clock.now()
        schedule.nextFireAt = schedule.cron.nextDate(after: now)
        return try await store.upsertSchedule(schedule, now: now)
    }

    /// Fires every due tick of the schedules of this engine's tasks; a tick another engine fired
    /// first is skipped.
    /// - Returns: the next tick, for the claim loop's sleep.
    func fireDueSchedules() async throws -> Date? {
        let now = clock.now()
        var fired = false
        for schedule in try await store.dueSchedules(taskNames: registry.names, now: now) {
            guard let tick = schedule.nextFireAt else { continue }
            var options = TriggerOptions()
            options.tags = ["schedule:\(schedule.id)"]
            var run = try makeNewRun(taskName: schedule.taskName, input: schedule.input, options: options, now: now)
            run.scheduleID = schedule.id
            // Missed ticks are not made up: the next tick is the first one after now.
            if try await store.fireSchedule(schedule.id, tick: tick, nextFireAt: schedule.cron.nextDate(after: now), run: run) {
                fired = true
                logger.debug("schedule fired", metadata: ["keel.schedule.id": .string(schedule.id), "keel.run.id": .string(run.id.rawValue)])
            }
        }
        if fired { workAvailable.notify(0) }
        return try await store.nextScheduleFireTime(taskNames: registry.names)
    }
}
