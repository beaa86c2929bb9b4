import Foundation
import GRDB
import Keel

extension SQLiteRunStore {
    /// Inserts `run`, leased to `lease` when given (local hand-off).
    /// - Returns: the lease granted, if any.
    private static let insertRunSQL = """
        INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, started_at, updated_at,
                         available_at, lease_owner, lease_token, lease_expires_at, wake_at,
                         parent_id, parent_waitpoint_id, batch_index, priority_ms, concurrency_key, expires_at,
                         idempotency_key, idempotency_expires_at, debounce_key, tags, schedule_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static func insert(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?, db: Database) throws -> Lease? {
        let now = run.createdAt.millisecondsSince1970
        let leased = lease != nil
        let delayed = run.availableAt > run.createdAt
        var insert = DirectExecution(try db.cachedStatement(sql: insertRunSQL))
        insert.bind(run.id.rawValue)
        insert.bind(run.taskName)
        insert.bind(run.taskVersion)
        insert.bind(run.queue)
        insert.bind(leased ? RunStatus.running.rawValue : RunStatus.queued.rawValue)
        insert.bind(run.input)
        insert.bind(now)
        insert.bind(leased ? now : nil)
        insert.bind(now)
        insert.bind(lease?.expiresAt.millisecondsSince1970 ?? run.availableAt.millisecondsSince1970)
        insert.bind(lease?.workerID)
        insert.bind(leased ? 1 : 0)
        insert.bind(lease?.expiresAt.millisecondsSince1970)
        insert.bind(delayed ? run.availableAt.millisecondsSince1970 : nil)
        insert.bind(run.parentID?.rawValue)
        insert.bind(run.parentWaitpointID)
        insert.bind(run.batchIndex)
        insert.bind(run.priority.milliseconds)
        insert.bind(run.concurrencyKey)
        insert.bind(run.expiresAt?.millisecondsSince1970)
        insert.bind(run.idempotencyKey)
        insert.bind(run.idempotencyKeyExpiresAt?.millisecondsSince1970)
        insert.bind(run.debounceKey)
        insert.bind(try encodeTags(run.tags))
        insert.bind(run.scheduleID)
        try insert.execute()
        return lease.map { Lease(runID: run.id, workerID: $0.workerID, token: 1, expiresAt: $0.expiresAt) }
    }

    /// The record of `run` as ``insert(_:lease:db:)`` stored it (dates at the store's millisecond
    /// precision), without reading it back.
    static func record(of run: NewRun, lease: Lease?) -> RunRecord {
        func stored(_ date: Date) -> Date { Date(millisecondsSince1970: date.millisecondsSince1970) }
        let createdAt = stored(run.createdAt)
        return RunRecord(
            id: run.id, taskName: run.taskName, taskVersion: run.taskVersion, queue: run.queue,
            status: lease == nil ? .queued : .running, input: run.input, createdAt: createdAt,
            startedAt: lease == nil ? nil : createdAt, updatedAt: createdAt,
            wakeAt: run.availableAt > run.createdAt ? stored(run.availableAt) : nil,
            leaseOwner: lease?.workerID, leaseExpiresAt: lease.map { stored($0.expiresAt) }, parentID: run.parentID,
            concurrencyKey: run.concurrencyKey, priority: .milliseconds(run.priority.milliseconds), tags: run.tags,
            expiresAt: run.expiresAt.map(stored), idempotencyKey: run.idempotencyKey, scheduleID: run.scheduleID
        )
    }

    /// The run holding idempotency key `key` for `task`, if the key has not expired; an expired
    /// key is released so a new run can take it.
    static func runHolding(idempotencyKey key: String, task: String, now: Int64, db: Database) throws -> RunRecord? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(runColumns), idempotency_expires_at FROM run WHERE task_name = ? AND idempotency_key = ?"),
                arguments: [task, key]
            )
        else { return nil }
        let expiresAt: Int64? = row["idempotency_expires_at"]
        if let expiresAt, expiresAt <= now {
            try db.cachedStatement(sql: "UPDATE run SET idempotency_key = NULL WHERE id = ?").execute(arguments: [row["id"] as String])
            return nil
        }
        return try RunRecord(row: row)
    }

    /// Debounce: if a run of the same task with the same key has not started, gives it `run`'s
    /// input and start time and returns it.
    static func debounce(_ run: NewRun, key: String, db: Database) throws -> RunRecord? {
        guard
            let id = try String.fetchOne(
                db.cachedStatement(
                    sql: "SELECT id FROM run WHERE task_name = ? AND debounce_key = ? AND status = 'queued' AND started_at IS NULL LIMIT 1"
                ),
                arguments: [run.taskName, key]
            )
        else { return nil }
        let availableAt = run.availableAt.millisecondsSince1970
        try db.cachedStatement(
            sql: "UPDATE run SET input = ?, available_at = ?, wake_at = ?, updated_at = ?, expires_at = COALESCE(?, expires_at) WHERE id = ?"
        ).execute(arguments: [run.input, availableAt, availableAt, run.createdAt.millisecondsSince1970, run.expiresAt?.millisecondsSince1970, id])
        return try fetchRun(RunID(id), db: db)
    }

    static func encodeTags(_ tags: [String]) throws -> String {
        if tags.isEmpty { return "[]" }
        return RecordedJSONEncoder.array(of: tags)
    }

    static func decodeTags(_ text: String?) -> [String] {
        guard let text, text != "[]", let tags = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return [] }
        return tags
    }
}

extension Duration {
    /// Whole milliseconds.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
