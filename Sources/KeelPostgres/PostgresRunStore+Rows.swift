import Foundation
import Keel
import PostgresNIO

/// Reads Keel's values from PostgreSQL rows by column name.
struct StoredRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    func string(_ column: String) throws -> String { try row[column].decode(String.self) }
    func optionalString(_ column: String) throws -> String? { try row[column].decode(String?.self) }
    func int(_ column: String) throws -> Int { Int(try row[column].decode(Int64.self)) }
    func optionalInt(_ column: String) throws -> Int? { try row[column].decode(Int64?.self).map(Int.init) }
    func int64(_ column: String) throws -> Int64 { try row[column].decode(Int64.self) }
    func bool(_ column: String) throws -> Bool { try row[column].decode(Bool.self) }
    func data(_ column: String) throws -> Data { try row[column].decode(Data.self) }
    func optionalData(_ column: String) throws -> Data? { try row[column].decode(Data?.self) }
    func date(_ column: String) throws -> Date { Date(millisecondsSince1970: try row[column].decode(Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? { try row[column].decode(Int64?.self).map(Date.init(millisecondsSince1970:)) }
    func strings(_ column: String) throws -> [String] { try row[column].decode([String].self) }
    func error(_ column: String) throws -> RecordedError? { PostgresRunStore.decodeError(try optionalString(column)) }
}

extension PostgresRunStore {
    /// The columns ``runRecord(_:)`` (and a claim's lease) reads. Prepared statements name
    /// them rather than `*`: a column another version's migration adds must not change their
    /// result (PostgreSQL refuses to run a prepared statement whose result type changed).
    static let runColumns = """
        id, task_name, task_version, queue, status, input, output, error, attempt, created_at, started_at, finished_at, \
        updated_at, wake_at, lease_owner, lease_expires_at, lease_token, parent_id, concurrency_key, priority_ms, tags, \
        expires_at, idempotency_key, schedule_id
        """

    static func runRecord(_ row: PostgresRow) throws -> RunRecord {
        let row = StoredRow(row)
        let id = try row.string("id")
        let statusText = try row.string("status")
        guard let status = RunStatus(rawValue: statusText) else {
            throw KeelError(.storeFailure, "run '\(id)' has an unknown status '\(statusText)'")
        }
        return RunRecord(
            id: RunID(id), taskName: try row.string("task_name"), taskVersion: try row.string("task_version"), queue: try row.string("queue"),
            status: status, input: try row.data("input"), output: try row.optionalData("output"), error: try row.error("error"),
            attempt: try row.int("attempt"), createdAt: try row.date("created_at"), startedAt: try row.optionalDate("started_at"),
            finishedAt: try row.optionalDate("finished_at"), updatedAt: try row.date("updated_at"), wakeAt: try row.optionalDate("wake_at"),
            leaseOwner: try row.optionalString("lease_owner"), leaseExpiresAt: try row.optionalDate("lease_expires_at"),
            parentID: try row.optionalString("parent_id").map { RunID($0) }, concurrencyKey: try row.optionalString("concurrency_key"),
            priority: .milliseconds(try row.int64("priority_ms")), tags: try row.strings("tags"), expiresAt: try row.optionalDate("expires_at"),
            idempotencyKey: try row.optionalString("idempotency_key"), scheduleID: try row.optionalString("schedule_id")
        )
    }

    static func waitpoint(_ row: PostgresRow) throws -> Waitpoint {
        let row = StoredRow(row)
        return Waitpoint(
            id: try row.string("id"), runID: RunID(try row.string("run_id")), kind: Waitpoint.Kind(rawValue: try row.string("kind")) ?? .token,
            eventName: try row.optionalString("event_name"), status: Waitpoint.Status(rawValue: try row.string("status")) ?? .pending,
            payload: try row.optionalData("payload"), pendingChildren: try row.int("pending_children"), timeoutAt: try row.optionalDate("timeout_at"),
            createdAt: try row.date("created_at"), resolvedAt: try row.optionalDate("resolved_at")
        )
    }

    static func schedule(_ row: PostgresRow) throws -> Schedule {
        let row = StoredRow(row)
        let id = try row.string("id")
        let cron: CronExpression
        do {
            cron = try CronExpression(try row.string("cron"), timeZoneIdentifier: try row.string("time_zone"))
        } catch {
            throw KeelError(.storeFailure, "schedule '\(id)' holds a bad cron expression: \(error)")
        }
        return Schedule(
            id: id, taskName: try row.string("task_name"), cron: cron, input: try row.data("input"), isDeclared: try row.bool("is_declared"),
            nextFireAt: try row.optionalDate("next_fire_at"), lastFireAt: try row.optionalDate("last_fire_at"),
            lastRunID: try row.optionalString("last_run_id").map { RunID($0) }, isEnabled: try row.bool("enabled")
        )
    }

    static func encodeError(_ error: RecordedError?) throws -> String? {
        guard let error else { return nil }
        return String(decoding: try JSONEncoder().encode(error), as: UTF8.self)
    }

    static func decodeError(_ text: String?) -> RecordedError? {
        guard let text else { return nil }
        return (try? JSONDecoder().decode(RecordedError.self, from: Data(text.utf8))) ?? RecordedError(type: "Unknown", message: text)
    }
}

extension Duration {
    /// Whole milliseconds.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
