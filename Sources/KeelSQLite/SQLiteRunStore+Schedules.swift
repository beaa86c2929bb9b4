public import Foundation
import GRDB
public import Keel

extension SQLiteRunStore {
    public func upsertSchedule(_ schedule: Schedule, now: Date) async throws -> Schedule {
        try await write { db in
            let now = now.millisecondsSince1970
            try db.cachedStatement(
                sql: """
                    INSERT INTO schedule (id, task_name, cron, time_zone, input, is_declared, next_fire_at, created_at, updated_at, enabled)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET
                        next_fire_at = CASE
                            WHEN schedule.cron = excluded.cron AND schedule.time_zone = excluded.time_zone AND schedule.input = excluded.input
                                 AND schedule.task_name = excluded.task_name AND schedule.next_fire_at IS NOT NULL
                            THEN schedule.next_fire_at ELSE excluded.next_fire_at END,
                        task_name = excluded.task_name, cron = excluded.cron, time_zone = excluded.time_zone,
                        input = excluded.input, is_declared = excluded.is_declared, updated_at = excluded.updated_at
                    """
            ).execute(arguments: [
                schedule.id, schedule.taskName, schedule.cron.expression, schedule.cron.timeZone.identifier, schedule.input,
                schedule.isDeclared, schedule.nextFireAt?.millisecondsSince1970, now, now, schedule.isEnabled,
            ])
            guard let stored = try Self.fetchSchedules(db, where: "id = ?", [schedule.id]).first else {
                throw KeelError(.storeFailure, "schedule '\(schedule.id)' vanished after its upsert")
            }
            return stored
        }
    }

    public func schedules() async throws -> [Schedule] {
        try await read { db in try Self.fetchSchedules(db, where: "1", []) }
    }

    public func deleteSchedule(_ id: String) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM schedule WHERE id = ?").execute(arguments: [id])
            return db.changesCount > 0
        }
    }

    public func dueSchedules(taskNames: [String], now: Date) async throws -> [Schedule] {
        guard !taskNames.isEmpty else { return [] }
        return try await read { db in
            let placeholders = Array(repeating: "?", count: taskNames.count).joined(separator: ", ")
            var arguments: StatementArguments = [now.millisecondsSince1970]
            arguments += StatementArguments(taskNames)
            return try Self.fetchSchedules(db, where: "enabled = 1 AND next_fire_at IS NOT NULL AND next_fire_at <= ? AND task_name IN (\(placeholders))", arguments)
        }
    }

    public func nextScheduleFireTime(taskNames: [String]) async throws -> Date? {
        guard !taskNames.isEmpty else { return nil }
        return try await read { db in
            let placeholders = Array(repeating: "?", count: taskNames.count).joined(separator: ", ")
            return try Int64.fetchOne(
                db,
                sql: "SELECT MIN(next_fire_at) FROM schedule WHERE enabled = 1 AND next_fire_at IS NOT NULL AND task_name IN (\(placeholders))",
                arguments: StatementArguments(taskNames)
            ).map(Date.init(millisecondsSince1970:))
        }
    }

    public func setScheduleEnabled(_ id: String, isEnabled: Bool, nextFireAt: Date?, now: Date) async throws -> Schedule? {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE schedule SET enabled = ?, next_fire_at = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [isEnabled, nextFireAt?.millisecondsSince1970, now.millisecondsSince1970, id])
            guard db.changesCount == 1 else { return nil }
            return try Self.fetchSchedules(db, where: "id = ?", [id]).first
        }
    }

    public func fireSchedule(_ id: String, tick: Date, nextFireAt: Date?, run: NewRun) async throws -> Bool {
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE schedule SET next_fire_at = ?, last_fire_at = ?, last_run_id = ?, updated_at = ? WHERE id = ? AND next_fire_at = ?"
            ).execute(arguments: [
                nextFireAt?.millisecondsSince1970, tick.millisecondsSince1970, run.id.rawValue, run.createdAt.millisecondsSince1970,
                id, tick.millisecondsSince1970,
            ])
            guard db.changesCount == 1 else { return false }
            _ = try Self.insert(run, lease: nil, db: db)
            return true
        }
    }

    private static func fetchSchedules(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> [Schedule] {
        try Row.fetchAll(db, sql: "SELECT * FROM schedule WHERE \(condition) ORDER BY id", arguments: arguments).map { row in
            func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(millisecondsSince1970:)) }
            let expression: String = row["cron"]
            let cron: CronExpression
            do {
                cron = try CronExpression(expression, timeZoneIdentifier: row["time_zone"])
            } catch {
                throw KeelError(.storeFailure, "schedule '\(row["id"] as String)' holds a bad cron expression: \(error)")
            }
            return Schedule(
                id: row["id"], taskName: row["task_name"], cron: cron, input: row["input"], isDeclared: row["is_declared"],
                nextFireAt: date("next_fire_at"), lastFireAt: date("last_fire_at"), lastRunID: (row["last_run_id"] as String?).map { RunID($0) },
                isEnabled: row["enabled"]
            )
        }
    }
}
