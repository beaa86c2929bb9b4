public import Foundation
import GRDB
import GRDBSQLite
public import Keel

extension SQLiteRunStore {
    public func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws {
        try await write { db in
            // A change of the run is one UPDATE fenced by the lease, made first: a lost lease
            // writes nothing and throws before any entry (whose sequence another worker may
            // have taken) is inserted. Entries alone are fenced by the first one's insert, which
            // inserts only while the lease holds; without entries, the lease is read.
            var entries = transition.entries[...]
            if transition.change != .none {
                try Self.apply(transition.change, lease: lease, now: now.millisecondsSince1970, db: db)
            } else if let first = entries.popFirst() {
                // A step's result, most often: one statement checks the lease and inserts it.
                try Self.insert(first, holding: lease, db: db)
            } else {
                try Self.checkLease(lease, db: db)
            }
            let statement = try db.cachedStatement(sql: Self.insertEntrySQL)
            for entry in entries {
                try Self.insert(entry, statement: statement)
            }
            for waitpoint in transition.newWaitpoints {
                try Self.insert(waitpoint, db: db)
            }
            for run in transition.newRuns {
                _ = try Self.insert(run, lease: nil, db: db)
            }
            try Self.insertLogs(transition.logs, maximumPerRun: transition.maximumLogLinesPerRun, db: db)
        }
    }

    public func cancelRun(_ id: RunID, now: Date) async throws -> [RunID] {
        try await write { db in
            guard let record = try Self.fetchRun(id, db: db) else { throw KeelError(.runNotFound, "no run with id '\(id)'") }
            guard !record.status.isTerminal else { return [] }
            let now = now.millisecondsSince1970
            let unfinished = try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE tree(id) AS (
                        SELECT ? UNION ALL SELECT run.id FROM run JOIN tree ON run.parent_id = tree.id
                    )
                    SELECT run.id FROM run JOIN tree ON run.id = tree.id
                    WHERE run.status NOT IN ('completed', 'failed', 'cancelled', 'expired')
                    """,
                arguments: [id.rawValue]
            )
            for runID in unfinished {
                let error = RecordedError(
                    type: "Cancelled",
                    message: runID == id.rawValue ? "the run was cancelled" : "cancelled with its ancestor run '\(id)'",
                    isRetryable: false
                )
                try Self.finish(runID, status: .cancelled, output: nil, error: error, finishedAt: now, db: db)
                try Self.appendStoreEntry(to: RunID(runID), kind: .runCancelled, error: error, now: now, db: db)
            }
            return unfinished.map { RunID($0) }
        }
    }

    private static let entryColumns = "run_id, sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at"
    static let insertEntrySQL = "INSERT INTO journal_entry (\(entryColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    /// Inserts an entry only while the lease bound after it is the run's.
    private static let insertEntryUnderLeaseSQL = """
        INSERT INTO journal_entry (\(entryColumns)) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
        WHERE EXISTS (SELECT 1 FROM run WHERE id = ? \(leaseCondition))
        """

    /// Inserts `entry` with `statement`, one of ``insertEntrySQL``.
    static func insert(_ entry: JournalEntry, statement: Statement) throws {
        var insert = DirectExecution(statement)
        try bindEntry(entry, to: &insert)
        try insert.execute()
    }

    /// Inserts `entry` if `lease` is the run's current lease; else writes nothing and throws
    /// ``KeelError/Code/leaseLost`` (fencing, as ``checkLease(_:db:)`` then an insert would).
    static func insert(_ entry: JournalEntry, holding lease: Lease, db: Database) throws {
        var insert = DirectExecution(try db.cachedStatement(sql: insertEntryUnderLeaseSQL))
        try bindEntry(entry, to: &insert)
        bindLease(lease, to: &insert)
        try insert.execute()
        if db.changesCount == 0 { try explainLostLease(lease, db: db) }
    }

    private static func bindEntry(_ entry: JournalEntry, to insert: inout DirectExecution) throws {
        insert.bind(entry.runID.rawValue)
        insert.bind(entry.sequence)
        insert.bind(entry.position)
        insert.bind(entry.kind.rawValue)
        insert.bind(entry.name)
        insert.bind(entry.attempt)
        insert.bind(entry.payload)
        insert.bind(try entry.error.map(encodeError))
        insert.bind(entry.startedAt?.millisecondsSince1970)
        insert.bind(entry.wakeAt?.millisecondsSince1970)
        insert.bind(entry.recordedAt.millisecondsSince1970)
    }

    /// Binds the run's id, then the lease's token and owner, for `WHERE id = ? \(leaseCondition)`.
    static func bindLease(_ lease: Lease, to statement: inout DirectExecution) {
        statement.bind(lease.runID.rawValue)
        statement.bind(lease.token)
        statement.bind(lease.workerID)
    }

    /// Appends a run-level entry the store writes itself (cancellation, expiry) after the last one.
    static func appendStoreEntry(to runID: RunID, kind: JournalEntry.Kind, error: RecordedError?, now: Int64, db: Database) throws {
        let sequence = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence) + 1, 0) FROM journal_entry WHERE run_id = ?"),
            arguments: [runID.rawValue]
        ) ?? 0
        let entry = JournalEntry(
            runID: runID, sequence: sequence, position: nil, kind: kind, name: kind.rawValue, error: error,
            recordedAt: Date(millisecondsSince1970: now)
        )
        try insert(entry, statement: db.cachedStatement(sql: insertEntrySQL))
    }

    /// The condition, after `WHERE id = ?`, that a lease is the run's current lease; bind it
    /// with ``bindLease(_:to:)``.
    ///
    /// The statuses are compared one by one, not with `IN (…)`: SQLite evaluates an `IN` list of
    /// more than two constants through a temporary b-tree, whose page cache (about 85 KB) it
    /// allocates and frees on every execution. Every commit of a run checks its lease, so that
    /// cost, and the page faults of the memory glibc hands back to the kernel in between, were
    /// about a tenth of a sequential run's CPU.
    static let leaseCondition = "AND lease_token = ? AND lease_owner = ? AND (status = 'queued' OR status = 'running' OR status = 'waiting')"

    /// Selects 1 while the lease bound after the id is the run's (built once, not per commit).
    private static let checkLeaseSQL = "SELECT 1 FROM run WHERE id = ? \(leaseCondition)"

    /// Throws ``KeelError/Code/leaseLost`` unless `lease` is the run's current lease (fencing).
    static func checkLease(_ lease: Lease, db: Database) throws {
        var check = DirectExecution(try db.cachedStatement(sql: checkLeaseSQL))
        bindLease(lease, to: &check)
        if try !check.selectsARow() { try explainLostLease(lease, db: db) }
    }

    /// Throws the error saying why `lease` is not the run's current lease: no such run, or whose
    /// lease it is now.
    static func explainLostLease(_ lease: Lease, db: Database) throws -> Never {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT lease_token, lease_owner, status FROM run WHERE id = ?"),
            arguments: [lease.runID.rawValue]
        )
        guard let row else { throw KeelError(.runNotFound, "no run with id '\(lease.runID)'") }
        let token: Int64 = row[0]
        let owner: String? = row[1]
        let status = RunStatus(rawValue: row[2]) ?? .failed
        throw KeelError(
            .leaseLost,
            "worker '\(lease.workerID)' no longer holds run '\(lease.runID)' (status \(status), owner \(owner ?? "none"), lease \(token), presented \(lease.token))"
        )
    }

    /// Applies a run's change of status and lease in one UPDATE that only matches while `lease`
    /// is the run's current lease; throws ``KeelError/Code/leaseLost`` (and writes nothing) when
    /// it is not.
    static func apply(_ change: RunTransition.Change, lease: Lease, now: Int64, db: Database) throws {
        func update(_ assignments: String, _ values: [Int64?]) throws {
            var update = DirectExecution(try db.cachedStatement(sql: "UPDATE run SET \(assignments) WHERE id = ? \(leaseCondition)"))
            for value in values { update.bind(value) }
            bindLease(lease, to: &update)
            try update.execute()
            if db.changesCount == 0 { try explainLostLease(lease, db: db) }
        }
        switch change {
        case .none:
            try checkLease(lease, db: db)
        case .running:
            try update("status = 'running', wake_at = NULL, waiting_on = NULL, updated_at = ?", [now])
        case .waitingInMemory(let wakeAt):
            try update("status = 'waiting', wake_at = ?, updated_at = ?", [wakeAt?.millisecondsSince1970, now])
        case .suspended(let status, let wakeAt):
            // The status is one of a few constants: spelled in the statement, which stays cached.
            try update(
                "status = '\(status.rawValue)', wake_at = ?, available_at = ?, waiting_on = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?",
                [wakeAt.millisecondsSince1970, wakeAt.millisecondsSince1970, now]
            )
        case .retrying(let attempt, let wakeAt):
            try update(
                "status = 'waiting', attempt = ?, wake_at = ?, available_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?",
                [Int64(attempt), wakeAt.millisecondsSince1970, wakeAt.millisecondsSince1970, now]
            )
        case .completed(let output):
            try finish(lease.runID.rawValue, status: .completed, output: output, error: nil, finishedAt: now, lease: lease, db: db)
        case .failed(let error):
            try finish(lease.runID.rawValue, status: .failed, output: nil, error: error, finishedAt: now, lease: lease, db: db)
        case .parked(let error):
            try finish(lease.runID.rawValue, status: .parked, output: nil, error: error, finishedAt: nil, lease: lease, db: db)
            try db.cachedStatement(sql: "UPDATE run SET updated_at = ? WHERE id = ?").execute(arguments: [now, lease.runID.rawValue])
        }
    }

    /// The finishing UPDATE, and its lease-fenced form for a run finishing itself. Built once,
    /// not per commit.
    ///
    /// The parent's waitpoint is read by a second statement rather than with `RETURNING`, which
    /// SQLite buffers in a temporary b-tree (see ``leaseCondition``).
    private static let finishSQL = """
        UPDATE run SET status = ?, output = ?, error = ?, finished_at = ?, updated_at = COALESCE(?, updated_at),
                       available_at = NULL, wake_at = NULL, waiting_on = NULL, lease_owner = NULL, lease_expires_at = NULL
        WHERE id = ?
        """
    private static let finishUnderLeaseSQL = finishSQL + " \(leaseCondition)"
    private static let parentWaitpointSQL = "SELECT parent_waitpoint_id FROM run WHERE id = ?"

    /// Gives a run its final (or parked) status and, when it is final, settles the parent's
    /// waitpoint the run counts toward. With `lease`, only while it is the run's current lease
    /// (else ``KeelError/Code/leaseLost`` and nothing written).
    static func finish(
        _ id: String, status: RunStatus, output: Data?, error: RecordedError?, finishedAt: Int64?, lease: Lease? = nil, db: Database
    ) throws {
        var update = DirectExecution(try db.cachedStatement(sql: lease == nil ? finishSQL : finishUnderLeaseSQL))
        update.bind(status.rawValue)
        update.bind(output)
        update.bind(try error.map(encodeError))
        update.bind(finishedAt)
        update.bind(finishedAt)
        update.bind(id)
        if let lease {
            update.bind(lease.token)
            update.bind(lease.workerID)
        }
        try update.execute()
        guard db.changesCount > 0 else {
            if let lease { try explainLostLease(lease, db: db) }
            return
        }
        guard status.isTerminal, let now = finishedAt else { return }
        var select = DirectExecution(try db.cachedStatement(sql: parentWaitpointSQL))
        select.bind(id)
        let parentWaitpoint = try select.firstText()
        if let parentWaitpoint {
            try settleChild(of: parentWaitpoint, now: now, db: db)
        }
    }

    static func fetchRun(_ id: RunID, db: Database) throws -> RunRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(runColumns) FROM run WHERE id = ?"), arguments: [id.rawValue]).map(RunRecord.init(row:))
    }

    static func encodeError(_ error: RecordedError) throws -> String {
        String(decoding: try JSONEncoder().encode(error), as: UTF8.self)
    }

    static func decodeError(_ text: String?) -> RecordedError? {
        guard let text else { return nil }
        return (try? JSONDecoder().decode(RecordedError.self, from: Data(text.utf8)))
            ?? RecordedError(type: "Unknown", message: text)
    }
}

extension SQLiteRunStore {
    /// The columns ``RunRecord/init(row:)`` decodes, in its order, then `lease_token`: select
    /// these (not `*`) wherever a run record is read. Columns by index are decoded several times
    /// faster than by name, which GRDB matches case-insensitively.
    static let runColumns = """
        id, task_name, task_version, queue, status, input, output, error, attempt, created_at, started_at, finished_at, \
        updated_at, wake_at, lease_owner, lease_expires_at, parent_id, concurrency_key, priority_ms, tags, expires_at, \
        idempotency_key, schedule_id, lease_token
        """
    /// The index of `lease_token` in ``runColumns``.
    static let leaseTokenColumn = 23

    /// The columns ``JournalEntry/init(row:runID:)`` decodes, in its order (the run's id is
    /// known from the query, not read from every row).
    static let journalColumns = "sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at"
}

extension RunRecord {
    /// Decodes a row of ``SQLiteRunStore/runColumns``.
    init(row: Row) throws {
        let statusText: String = row[4]
        guard let status = RunStatus(rawValue: statusText) else {
            throw KeelError(.storeFailure, "run '\(row[0] as String)' has an unknown status '\(statusText)'")
        }
        func date(_ index: Int) -> Date? {
            (row[index] as Int64?).map(Date.init(millisecondsSince1970:))
        }
        self.init(
            id: RunID(row[0]), taskName: row[1], taskVersion: row[2], queue: row[3],
            status: status, input: row[5], output: row[6], error: SQLiteRunStore.decodeError(row[7]),
            attempt: row[8], createdAt: date(9)!, startedAt: date(10),
            finishedAt: date(11), updatedAt: date(12)!, wakeAt: date(13),
            leaseOwner: row[14], leaseExpiresAt: date(15),
            parentID: (row[16] as String?).map { RunID($0) }, concurrencyKey: row[17],
            priority: .milliseconds(row[18] as Int64? ?? 0), tags: SQLiteRunStore.decodeTags(row[19]),
            expiresAt: date(20), idempotencyKey: row[21], scheduleID: row[22]
        )
    }
}

extension JournalEntry {
    /// Decodes the current row of a query of ``SQLiteRunStore/journalColumns`` of run `runID`,
    /// straight from SQLite's columns: a run's whole journal is read on every resume, and
    /// GRDB's generic row decoding cost about as much as the read itself.
    init(currentRowOf statement: SQLiteStatement, runID: RunID) {
        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        func optionalInteger(_ column: Int32) -> Int64? { isNull(column) ? nil : integer(column) }
        func text(_ column: Int32) -> String {
            guard let bytes = sqlite3_column_text(statement, column) else { return "" }
            return String(cString: bytes)
        }
        func blob(_ column: Int32) -> Data? {
            if isNull(column) { return nil }
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return Data() }
            return Data(bytes: bytes, count: count)
        }
        self.init(
            runID: runID, sequence: Int(integer(0)), position: optionalInteger(1).map(Int.init), kind: Kind(rawValue: text(2)),
            name: text(3), attempt: Int(integer(4)), payload: blob(5), error: SQLiteRunStore.decodeError(isNull(6) ? nil : text(6)),
            startedAt: optionalInteger(7).map(Date.init(millisecondsSince1970:)), wakeAt: optionalInteger(8).map(Date.init(millisecondsSince1970:)),
            recordedAt: Date(millisecondsSince1970: integer(9))
        )
    }
}
