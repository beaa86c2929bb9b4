public import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun {
        if run.idempotencyKey == nil, run.debounceKey == nil {
            // Nothing to look up first: one statement inserts, notifies and returns the run —
            // and the runs of triggers arriving meanwhile (see ``CommitGroup``).
            let record = try await triggerGroup.commit(GroupedTrigger(run: run, lease: lease)) { [self] triggers in
                try await insertGrouped(triggers)
            }
            return CreatedRun(record: record, lease: Self.grantedLease(run, lease))
        }
        return try await transaction("trigger of '\(run.taskName)'") { [self] connection in
            let now = run.createdAt.millisecondsSince1970
            if let key = run.idempotencyKey {
                // Serialises triggers with the same key, so concurrent ones find the first run.
                try await connection.rows("SELECT pg_advisory_xact_lock(hashtext(\(run.taskName)), hashtext(\("idempotency:" + key)))", logger: logger)
                if let existing = try await Self.runHolding(idempotencyKey: key, task: run.taskName, now: now, connection: connection, logger: logger) {
                    return CreatedRun(record: existing, lease: nil, isExisting: true)
                }
            }
            if let key = run.debounceKey {
                try await connection.rows("SELECT pg_advisory_xact_lock(hashtext(\(run.taskName)), hashtext(\("debounce:" + key)))", logger: logger)
                if let existing = try await Self.debounce(run, key: key, connection: connection, logger: logger) {
                    return CreatedRun(record: existing, lease: nil, isExisting: true)
                }
            }
            let grant = try await Self.insert(run, lease: lease, connection: connection, logger: logger)
            if lease == nil { try await Self.notifyWork(connection, logger: logger) }
            guard let record = try await Self.fetchRun(run.id, connection: connection, logger: logger) else {
                throw KeelError(.storeFailure, "run '\(run.id)' vanished after its insert")
            }
            return CreatedRun(record: record, lease: grant)
        }
    }

    public func run(_ id: RunID) async throws -> RunRecord? {
        try await query("read of run '\(id)'", "SELECT * FROM run WHERE id = \(id.rawValue)").first.map(Self.runRecord)
    }

    public func statuses(of ids: [RunID]) async throws -> [RunID: RunStatus] {
        guard !ids.isEmpty else { return [:] }
        var parameters = SQLParameters()
        // One lookup by primary key per id. Not `id = ANY($1)`: with the array a parameter, the
        // server compared every row it scanned with every id (30 ms for 700 ids among 4,000 runs).
        // Nor a plain join: on statistics taken while the table was small, the planner hashed the
        // ids against a scan of the whole table. `OFFSET 0` keeps the lookup a lookup.
        let sql = """
            SELECT awaited.id, found.status FROM unnest(\(parameters.bind(ids.map(\.rawValue)))::text[]) AS awaited(id),
            LATERAL (SELECT status FROM run WHERE run.id = awaited.id OFFSET 0) AS found
            """
        let rows = try await query("read of \(ids.count) runs' statuses", PreparedSQL(sql: sql, parameters: parameters))
        var statuses: [RunID: RunStatus] = [:]
        for row in rows {
            let (id, status) = try row.decode((String, String).self)
            statuses[RunID(id)] = RunStatus(rawValue: status)
        }
        return statuses
    }

    public func journal(_ id: RunID) async throws -> [JournalEntry] {
        try await journal(id, fromSequence: 0)
    }

    public func journal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry] {
        try await readJournal(id, fromSequence: fromSequence)
    }

    public func listRuns(_ query: RunQuery) async throws -> [RunRecord] {
        try await self.query("listing of runs", Self.listingStatement(query)).map(Self.runRecord)
    }

    /// The statement ``listRuns(_:)`` runs: the runs `query` selects, newest first.
    static func listingStatement(_ query: RunQuery) -> PostgresQuery {
        var clauses: [String] = []
        var parameters = SQLParameters()
        func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String { parameters.bind(value) }
        if let taskName = query.taskName { clauses.append("task_name = \(bind(taskName))") }
        if !query.statuses.isEmpty { clauses.append("status = ANY(\(bind(query.statuses.map(\.rawValue))))") }
        // The tags index holds only runs with tags (migration v6): the predicate lets it serve.
        if let tag = query.tag { clauses.append("tags @> \(bind([tag])) AND tags <> '{}'") }
        if let parentID = query.parentID { clauses.append("parent_id = \(bind(parentID.rawValue))") }
        // A run's id begins with its creation time (`RunID.make(at:)`): the bounds on the id let
        // the primary key find the range (creation time has no index since migration v6).
        if let from = query.createdFrom {
            let milliseconds = from.millisecondsSince1970
            clauses.append("created_at >= \(bind(milliseconds)) AND id >= \(bind(RunID.timePrefix(ofMilliseconds: milliseconds - 1)))")
        }
        if let to = query.createdTo {
            let milliseconds = to.millisecondsSince1970
            clauses.append("created_at < \(bind(milliseconds)) AND id < \(bind(RunID.timePrefix(ofMilliseconds: milliseconds + 1)))")
        }
        if let key = query.idempotencyKey { clauses.append("idempotency_key = \(bind(key))") }
        if let before = query.before { clauses.append("id < \(bind(before.rawValue))") }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = bind(max(1, min(query.limit, 1000)))
        return PostgresQuery(unsafeSQL: "SELECT * FROM run \(filter) ORDER BY id DESC LIMIT \(limit)", binds: parameters.bindings)
    }

    public func unfinishedRunCounts() async throws -> [RunCount] {
        try await query(
            "count of runs",
            "SELECT queue, status, COUNT(*) AS count FROM run WHERE status IN ('queued', 'running', 'waiting', 'parked') GROUP BY queue, status"
        ).compactMap { row in
            let (queue, status, count) = try row.decode((String, String, Int64).self)
            return RunStatus(rawValue: status).map { RunCount(queue: queue, status: $0, count: Int(count)) }
        }
    }

    public func resumeParkedRun(_ id: RunID, now: Date) async throws -> RunRecord {
        try await transaction("resume of run '\(id)'") { [self] connection in
            guard let record = try await Self.fetchRun(id, forUpdate: true, connection: connection, logger: logger) else {
                throw KeelError(.runNotFound, "no run with id '\(id)'")
            }
            guard record.status == .parked else {
                throw KeelError(.invalidState, "run '\(id)' is \(record.status), not parked; only parked runs can be resumed")
            }
            let now = now.millisecondsSince1970
            try await connection.rows(
                "UPDATE run SET status = 'queued', error = NULL, available_at = \(now), updated_at = \(now) WHERE id = \(id.rawValue)",
                logger: logger
            )
            try await Self.notifyWork(connection, logger: logger)
            return try await Self.fetchRun(id, connection: connection, logger: logger) ?? record
        }
    }

    // MARK: Helpers

    static func fetchRun(_ id: RunID, forUpdate: Bool = false, connection: PostgresConnection, logger: Logger) async throws -> RunRecord? {
        let sql = forUpdate ? "SELECT * FROM run WHERE id = $1 FOR UPDATE" : "SELECT * FROM run WHERE id = $1"
        var bindings = PostgresBindings()
        bindings.append(id.rawValue)
        return try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).first.map(runRecord)
    }

    /// Inserts `run`, leased to `lease` when given (local hand-off). - Returns: the lease granted.
    static func insert(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?, connection: PostgresConnection, logger: Logger) async throws -> Lease? {
        try await connection.rows(insertOneStatement(GroupedTrigger(run: run, lease: lease), notify: false), logger: logger)
        return grantedLease(run, lease)
    }

    /// Inserts the runs of `triggers` in one statement and returns their records, in order;
    /// idle workers are woken when one of them is not leased.
    private func insertGrouped(_ triggers: [GroupedTrigger]) async throws -> [RunRecord] {
        let what = triggers.count == 1 ? "trigger of '\(triggers[0].run.taskName)'" : "trigger of \(triggers.count) runs"
        let notify = triggers.contains { $0.lease == nil }
        let statement = triggers.count == 1 ? Self.insertOneStatement(triggers[0], notify: notify) : try Self.insertStatement(triggers, notify: notify)
        let rows = try await query(what, statement)
        var records: [RunID: RunRecord] = [:]
        for row in rows {
            let record = try Self.runRecord(row)
            records[record.id] = record
        }
        return try triggers.map { trigger in
            guard let record = records[trigger.run.id] else { throw KeelError(.storeFailure, "run '\(trigger.run.id)' vanished after its insert") }
            return record
        }
    }

    /// The lease a run inserted with `lease` holds.
    static func grantedLease(_ run: NewRun, _ lease: (workerID: String, expiresAt: Date)?) -> Lease? {
        lease.map { Lease(runID: run.id, workerID: $0.workerID, token: 1, expiresAt: $0.expiresAt) }
    }

    /// The insert of the triggers' runs (each leased to its `lease` when given), returning their
    /// rows; with `notify`, it also wakes idle workers (`pg_notify`, delivered when it commits).
    ///
    /// The runs come as one array per column (`unnest`), so the statement's text is the same
    /// for any number of runs: each connection prepares it once. A run's tags, an array
    /// themselves, come as JSON.
    static func insertStatement(_ triggers: [GroupedTrigger], notify: Bool) throws -> PreparedSQL {
        var p = SQLParameters()
        func column<Value: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ value: (GroupedTrigger) throws -> Value?) rethrows -> String {
            try p.bindColumn(of: triggers, value)
        }
        let now = { (trigger: GroupedTrigger) in trigger.run.createdAt.millisecondsSince1970 }
        let columns = try [
            column { $0.run.id.rawValue }, column { $0.run.taskName }, column { $0.run.taskVersion }, column { $0.run.queue },
            column { ($0.lease == nil ? RunStatus.queued : RunStatus.running).rawValue }, column { ByteBuffer(bytes: $0.run.input) },
            column(now), column { $0.lease == nil ? nil : now($0) },
            column { $0.lease?.expiresAt.millisecondsSince1970 ?? $0.run.availableAt.millisecondsSince1970 }, column { $0.lease?.workerID },
            column { Int64($0.lease == nil ? 0 : 1) }, column { $0.lease?.expiresAt.millisecondsSince1970 },
            column { $0.run.availableAt > $0.run.createdAt ? $0.run.availableAt.millisecondsSince1970 : nil },
            column { $0.run.parentID?.rawValue }, column { $0.run.parentWaitpointID }, column { $0.run.batchIndex.map(Int64.init) },
            column { $0.run.priority.wholeMilliseconds }, column { $0.run.concurrencyKey }, column { $0.run.expiresAt?.millisecondsSince1970 },
            column { $0.run.idempotencyKey }, column { $0.run.idempotencyKeyExpiresAt?.millisecondsSince1970 }, column { $0.run.debounceKey },
            column { $0.run.tags.isEmpty ? nil : String(decoding: try JSONEncoder().encode($0.run.tags), as: UTF8.self) },
            column { $0.run.scheduleID },
        ]
        let sql = insertingRuns(notify: notify, """
            SELECT id, task_name, task_version, queue, status, input, created_at, created_at, started_at,
                   available_at, lease_owner, lease_token, lease_expires_at, wake_at,
                   parent_id, parent_waitpoint_id, batch_index, priority_ms, concurrency_key, expires_at,
                   idempotency_key, idempotency_expires_at, debounce_key,
                   CASE WHEN tags IS NULL THEN '{}'::text[] ELSE ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)) END, schedule_id
            FROM unnest(\(columns.joined(separator: ", "))) AS incoming (
                id, task_name, task_version, queue, status, input, created_at, started_at, available_at, lease_owner, lease_token,
                lease_expires_at, wake_at, parent_id, parent_waitpoint_id, batch_index, priority_ms, concurrency_key, expires_at,
                idempotency_key, idempotency_expires_at, debounce_key, tags, schedule_id)
            """)
        return PreparedSQL(sql: sql, parameters: p)
    }

    /// A statement inserting into `run` the rows `source` gives (a `SELECT` or `VALUES` whose
    /// columns are those of the list below, in its order) and returning them; with `notify`, it
    /// also wakes idle workers (`pg_notify` is volatile, so the one-row join is always evaluated).
    private static func insertingRuns(notify: Bool, _ source: String) -> String {
        let notification = notify ? ", (SELECT pg_notify('\(workChannel)', '')) AS notified" : ""
        return """
            WITH inserted AS (
            INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, updated_at, started_at,
                             available_at, lease_owner, lease_token, lease_expires_at, wake_at,
                             parent_id, parent_waitpoint_id, batch_index, priority_ms, concurrency_key, expires_at,
                             idempotency_key, idempotency_expires_at, debounce_key, tags, schedule_id)
            \(source)
            RETURNING \(runColumns))
            SELECT inserted.* FROM inserted\(notification)
            """
    }

    /// The insert of one trigger's run, as ``insertStatement(_:notify:)`` with its values as
    /// parameters of their own: for a lone trigger, no array to build per column and none for
    /// the server to take apart.
    static func insertOneStatement(_ trigger: GroupedTrigger, notify: Bool) -> PreparedSQL {
        var p = SQLParameters()
        let run = trigger.run, lease = trigger.lease
        let createdAt = p.bind(run.createdAt.millisecondsSince1970)
        let values = [
            p.bind(run.id.rawValue), p.bind(run.taskName), p.bind(run.taskVersion), p.bind(run.queue),
            p.bind((lease == nil ? RunStatus.queued : RunStatus.running).rawValue), p.bind(bytes: run.input),
            createdAt, createdAt, lease == nil ? "NULL" : createdAt,
            p.bind(lease?.expiresAt.millisecondsSince1970 ?? run.availableAt.millisecondsSince1970), p.bind(lease?.workerID),
            lease == nil ? "0" : "1", p.bind(lease?.expiresAt.millisecondsSince1970),
            p.bind(run.availableAt > run.createdAt ? run.availableAt.millisecondsSince1970 : nil),
            p.bind(run.parentID?.rawValue), p.bind(run.parentWaitpointID), p.bind(run.batchIndex.map(Int64.init)),
            p.bind(run.priority.wholeMilliseconds), p.bind(run.concurrencyKey), p.bind(run.expiresAt?.millisecondsSince1970),
            p.bind(run.idempotencyKey), p.bind(run.idempotencyKeyExpiresAt?.millisecondsSince1970), p.bind(run.debounceKey),
            p.bind(run.tags), p.bind(run.scheduleID),
        ]
        return PreparedSQL(sql: insertingRuns(notify: notify, "VALUES (\(values.joined(separator: ", ")))"), parameters: p)
    }

    /// Inserts many runs (a batch of children) in one statement, from one JSON parameter.
    static func insertMany(_ runs: [NewRun], connection: PostgresConnection, logger: Logger) async throws {
        guard runs.count > 1 else {
            if let run = runs.first { _ = try await insert(run, lease: nil, connection: connection, logger: logger) }
            return
        }
        struct Row: Encodable {
            var id, task_name, task_version, queue, input: String
            var created_at, available_at, priority_ms: Int64
            var wake_at, expires_at, idempotency_expires_at: Int64?
            var parent_id, parent_waitpoint_id, concurrency_key, idempotency_key, debounce_key, schedule_id: String?
            var batch_index: Int?
            var tags: [String]
        }
        let rows = runs.map { run in
            Row(
                id: run.id.rawValue, task_name: run.taskName, task_version: run.taskVersion, queue: run.queue, input: run.input.base64EncodedString(),
                created_at: run.createdAt.millisecondsSince1970, available_at: run.availableAt.millisecondsSince1970,
                priority_ms: run.priority.wholeMilliseconds,
                wake_at: run.availableAt > run.createdAt ? run.availableAt.millisecondsSince1970 : nil,
                expires_at: run.expiresAt?.millisecondsSince1970, idempotency_expires_at: run.idempotencyKeyExpiresAt?.millisecondsSince1970,
                parent_id: run.parentID?.rawValue, parent_waitpoint_id: run.parentWaitpointID, concurrency_key: run.concurrencyKey,
                idempotency_key: run.idempotencyKey, debounce_key: run.debounceKey, schedule_id: run.scheduleID, batch_index: run.batchIndex,
                tags: run.tags
            )
        }
        let document = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        try await connection.rows(
            """
            INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, updated_at, available_at, wake_at,
                             parent_id, parent_waitpoint_id, batch_index, priority_ms, concurrency_key, expires_at,
                             idempotency_key, idempotency_expires_at, debounce_key, tags, schedule_id)
            SELECT r.id, r.task_name, r.task_version, r.queue, 'queued', decode(r.input, 'base64'), r.created_at, r.created_at, r.available_at,
                   r.wake_at, r.parent_id, r.parent_waitpoint_id, r.batch_index, r.priority_ms, r.concurrency_key, r.expires_at,
                   r.idempotency_key, r.idempotency_expires_at, r.debounce_key, ARRAY(SELECT jsonb_array_elements_text(r.tags)), r.schedule_id
            FROM jsonb_to_recordset(\(document)::jsonb) AS r(
                id text, task_name text, task_version text, queue text, input text, created_at bigint, available_at bigint, wake_at bigint,
                parent_id text, parent_waitpoint_id text, batch_index integer, priority_ms bigint, concurrency_key text, expires_at bigint,
                idempotency_key text, idempotency_expires_at bigint, debounce_key text, tags jsonb, schedule_id text)
            """,
            logger: logger
        )
    }

    /// The run holding idempotency key `key` for `task`, unless the key expired (then it is released).
    static func runHolding(idempotencyKey key: String, task: String, now: Int64, connection: PostgresConnection, logger: Logger) async throws -> RunRecord? {
        guard let row = try await connection.rows("SELECT * FROM run WHERE task_name = \(task) AND idempotency_key = \(key)", logger: logger).first
        else { return nil }
        let record = try runRecord(row)
        let expiresAt = try StoredRow(row).optionalDate("idempotency_expires_at")
        if let expiresAt, expiresAt.millisecondsSince1970 <= now {
            try await connection.rows("UPDATE run SET idempotency_key = NULL WHERE id = \(record.id.rawValue)", logger: logger)
            return nil
        }
        return record
    }

    /// Debounce: a queued, unstarted run of the same task and key takes `run`'s input and start time.
    static func debounce(_ run: NewRun, key: String, connection: PostgresConnection, logger: Logger) async throws -> RunRecord? {
        let availableAt = run.availableAt.millisecondsSince1970
        let rows = try await connection.rows(
            """
            UPDATE run SET input = \(run.input), available_at = \(availableAt), wake_at = \(availableAt), updated_at = \(run.createdAt.millisecondsSince1970),
                           expires_at = COALESCE(\(run.expiresAt?.millisecondsSince1970), expires_at)
            WHERE id = (SELECT id FROM run WHERE task_name = \(run.taskName) AND debounce_key = \(key) AND status = 'queued' AND started_at IS NULL
                        LIMIT 1 FOR UPDATE)
            RETURNING *
            """,
            logger: logger
        )
        return try rows.first.map(runRecord)
    }

    /// Tells listening workers that work may be due (delivered when the transaction commits).
    static func notifyWork(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.rows("SELECT pg_notify(\(workChannel), '')", logger: logger)
    }
}
