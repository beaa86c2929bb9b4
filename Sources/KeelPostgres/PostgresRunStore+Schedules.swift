public import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func upsertSchedule(_ schedule: Schedule, now: Date) async throws -> Schedule {
        try await transaction("upsert of schedule '\(schedule.id)'") { [self] connection in
            let now = now.millisecondsSince1970
            try await connection.rows(
                """
                INSERT INTO schedule (id, task_name, cron, time_zone, input, is_declared, next_fire_at, created_at, updated_at, enabled)
                VALUES (\(schedule.id), \(schedule.taskName), \(schedule.cron.expression), \(schedule.cron.timeZone.identifier), \(schedule.input),
                        \(schedule.isDeclared), \(schedule.nextFireAt?.millisecondsSince1970), \(now), \(now), \(schedule.isEnabled))
                ON CONFLICT (id) DO UPDATE SET
                    next_fire_at = CASE
                        WHEN schedule.cron = excluded.cron AND schedule.time_zone = excluded.time_zone AND schedule.input = excluded.input
                             AND schedule.task_name = excluded.task_name AND schedule.next_fire_at IS NOT NULL
                        THEN schedule.next_fire_at ELSE excluded.next_fire_at END,
                    task_name = excluded.task_name, cron = excluded.cron, time_zone = excluded.time_zone,
                    input = excluded.input, is_declared = excluded.is_declared, updated_at = excluded.updated_at
                """,
                logger: logger
            )
            guard let row = try await connection.rows("SELECT * FROM schedule WHERE id = \(schedule.id)", logger: logger).first else {
                throw KeelError(.storeFailure, "schedule '\(schedule.id)' vanished after its upsert")
            }
            return try Self.schedule(row)
        }
    }

    public func schedules() async throws -> [Schedule] {
        try await query("listing of schedules", "SELECT * FROM schedule ORDER BY id").map(Self.schedule)
    }

    public func deleteSchedule(_ id: String) async throws -> Bool {
        try await !query("deletion of schedule '\(id)'", "DELETE FROM schedule WHERE id = \(id) RETURNING id").isEmpty
    }

    public func dueSchedules(taskNames: [String], now: Date) async throws -> [Schedule] {
        guard !taskNames.isEmpty else { return [] }
        return try await query(
            "read of due schedules",
            "SELECT * FROM schedule WHERE enabled AND next_fire_at IS NOT NULL AND next_fire_at <= \(now.millisecondsSince1970) AND task_name = ANY(\(taskNames)) ORDER BY id"
        ).map(Self.schedule)
    }

    public func nextScheduleFireTime(taskNames: [String]) async throws -> Date? {
        guard !taskNames.isEmpty else { return nil }
        return try await query(
            "read of the next schedule tick",
            "SELECT MIN(next_fire_at) FROM schedule WHERE enabled AND next_fire_at IS NOT NULL AND task_name = ANY(\(taskNames))"
        ).first?.decode(Int64?.self).map(Date.init(millisecondsSince1970:))
    }

    public func setScheduleEnabled(_ id: String, isEnabled: Bool, nextFireAt: Date?, now: Date) async throws -> Schedule? {
        try await query(
            "\(isEnabled ? "enabling" : "disabling") of schedule '\(id)'",
            """
            UPDATE schedule SET enabled = \(isEnabled), next_fire_at = \(nextFireAt?.millisecondsSince1970), updated_at = \(now.millisecondsSince1970)
            WHERE id = \(id)
            RETURNING *
            """
        ).first.map(Self.schedule)
    }

    public func fireSchedule(_ id: String, tick: Date, nextFireAt: Date?, run: NewRun) async throws -> Bool {
        try await transaction("tick of schedule '\(id)'") { [self] connection in
            let fired = try await connection.rows(
                """
                UPDATE schedule SET next_fire_at = \(nextFireAt?.millisecondsSince1970), last_fire_at = \(tick.millisecondsSince1970),
                                    last_run_id = \(run.id.rawValue), updated_at = \(run.createdAt.millisecondsSince1970)
                WHERE id = \(id) AND next_fire_at = \(tick.millisecondsSince1970)
                RETURNING id
                """,
                logger: logger
            )
            guard !fired.isEmpty else { return false }
            _ = try await Self.insert(run, lease: nil, connection: connection, logger: logger)
            try await Self.notifyWork(connection, logger: logger)
            return true
        }
    }
}
