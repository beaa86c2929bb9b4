public import Foundation
import GRDB
public import Keel

/// The default store: runs and journals in one SQLite file, in WAL mode, with group commit.
///
/// Zero set-up: the file and its schema are created (and migrated) when the store opens.
/// Several engines, in one process or in several processes on one machine, may share the file.
///
/// ```swift
/// let engine = try KeelEngine(store: try .sqlite(path: ".keel/keel.sqlite"), tasks: [...], logger: logger)
/// ```
public final class SQLiteRunStore: RunStore {
    /// Settings of the SQLite store.
    public struct Configuration: Sendable {
        /// How durable a commit is.
        public enum Durability: String, Sendable {
            /// `synchronous=FULL`: a committed write survives power loss. The default.
            case full
            /// `synchronous=NORMAL`: survives a process crash; the last commits may be lost on power loss.
            case normal
        }

        /// How durable a commit is; ``Durability/full`` by default.
        public var durability: Durability
        /// How long a write waits for another process holding the file's write lock.
        public var busyTimeout: Duration
        /// Pages (4 KiB each) the write-ahead log holds before a commit copies them into the
        /// database file; 4,000 by default (SQLite's own default is 1,000). The store gives a new
        /// log a little more than this size when it opens (about 17 MB by default, ≈ 40 ms), so
        /// that commits overwrite its blocks instead of growing it. Fewer pages make a smaller
        /// file and a faster open, for many short-lived stores such as tests; more of the commits
        /// then pay for a checkpoint (0.5–0.8 ms here). At least 100.
        public var checkpointPages: Int

        /// Creates a configuration.
        public init(durability: Durability = .full, busyTimeout: Duration = .seconds(10), checkpointPages: Int = 4_000) {
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.checkpointPages = checkpointPages
        }
    }

    /// The schema version this code writes (the number of migrations).
    public static let schemaVersion = 3

    /// The file's path.
    public let path: String
    let pool: DatabasePool
    let writer: WriteBatcher

    /// Opens (creating if needed) the store at `path` and migrates its schema.
    /// - Throws: ``KeelError/Code/storeFailure`` naming the file when it cannot be opened or migrated.
    public init(path: String, configuration: Configuration = .init()) throws {
        guard configuration.checkpointPages >= 100 else {
            throw KeelError(
                .invalidConfiguration,
                "the SQLite store's checkpointPages must be at least 100, not \(configuration.checkpointPages)"
            )
        }
        self.path = path
        var grdb = GRDB.Configuration()
        grdb.busyMode = .timeout(TimeInterval(configuration.busyTimeout.components.seconds))
        let synchronous = configuration.durability == .full ? "FULL" : "NORMAL"
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            pool = try DatabasePool(path: path, configuration: grdb)
            // GRDB switches the writer to synchronous=NORMAL when it turns WAL on, after
            // prepareDatabase ran: set the durability again on the (only) writer connection.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(configuration.checkpointPages)")
            }
            try Self.migrator.migrate(pool)
            try WriteAheadLogPreallocation.ensure(pool, path: path, checkpointPages: configuration.checkpointPages)
        } catch {
            throw KeelError(.storeFailure, "cannot open the SQLite store at '\(path)': \(error)", underlying: error)
        }
        writer = WriteBatcher(pool: pool)
    }

    /// The writer connection's `PRAGMA synchronous` (2 for FULL, 1 for NORMAL), for tests.
    package func writerSynchronousMode() async throws -> Int {
        try await write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The schema versions applied to this file, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    // MARK: RunStore

    public func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun {
        try await write { db in
            let now = run.createdAt.millisecondsSince1970
            if let key = run.idempotencyKey, let existing = try Self.runHolding(idempotencyKey: key, task: run.taskName, now: now, db: db) {
                return CreatedRun(record: existing, lease: nil, isExisting: true)
            }
            if let key = run.debounceKey, let existing = try Self.debounce(run, key: key, db: db) {
                return CreatedRun(record: existing, lease: nil, isExisting: true)
            }
            let grant = try Self.insert(run, lease: lease, db: db)
            return CreatedRun(record: Self.record(of: run, lease: grant), lease: grant)
        }
    }

    public func resumeParkedRun(_ id: RunID, now: Date) async throws -> RunRecord {
        try await write { db in
            guard let record = try Self.fetchRun(id, db: db) else { throw KeelError(.runNotFound, "no run with id '\(id)'") }
            guard record.status == .parked else {
                throw KeelError(.invalidState, "run '\(id)' is \(record.status), not parked; only parked runs can be resumed")
            }
            let now = now.millisecondsSince1970
            try db.execute(
                sql: "UPDATE run SET status = 'queued', error = NULL, available_at = ?, updated_at = ? WHERE id = ?",
                arguments: [now, now, id.rawValue]
            )
            return try Self.fetchRun(id, db: db) ?? record
        }
    }

    public func run(_ id: RunID) async throws -> RunRecord? {
        try await read { db in try Self.fetchRun(id, db: db) }
    }

    public func statuses(of ids: [RunID]) async throws -> [RunID: RunStatus] {
        guard !ids.isEmpty else { return [:] }
        if ids.count == 1 {
            let id = ids[0]
            return try await read { db in
                let text = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM run WHERE id = ?"), arguments: [id.rawValue])
                return text.flatMap(RunStatus.init(rawValue:)).map { [id: $0] } ?? [:]
            }
        }
        let list = RecordedJSONEncoder.array(of: ids.map(\.rawValue))
        return try await read { db in
            var statuses: [RunID: RunStatus] = [:]
            let rows = try Row.fetchCursor(
                // Each id looked up in turn (CROSS JOIN keeps that order); `id IN (SELECT …)`
                // built a temporary b-tree of the ids on every read.
                db.cachedStatement(sql: "SELECT run.id, run.status FROM json_each(?) AS awaited CROSS JOIN run ON run.id = awaited.value"),
                arguments: [list]
            )
            while let row = try rows.next() {
                if let status = RunStatus(rawValue: row[1]) { statuses[RunID(row[0])] = status }
            }
            return statuses
        }
    }

    public func journal(_ id: RunID) async throws -> [JournalEntry] {
        try await journal(id, fromSequence: 0)
    }

    public func journal(_ id: RunID, fromSequence: Int) async throws -> [JournalEntry] {
        try await read { db in
            // A cursor steps the statement; each row is decoded in place from its columns.
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.journalColumns) FROM journal_entry WHERE run_id = ? AND sequence >= ? ORDER BY sequence"
            )
            let rows = try Row.fetchCursor(statement, arguments: [id.rawValue, fromSequence])
            var entries: [JournalEntry] = []
            while try rows.next() != nil { entries.append(JournalEntry(currentRowOf: statement.sqliteStatement, runID: id)) }
            return entries
        }
    }

    public func listRuns(_ query: RunQuery) async throws -> [RunRecord] {
        try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let taskName = query.taskName {
                clauses.append("task_name = ?")
                arguments += [taskName]
            }
            if !query.statuses.isEmpty {
                clauses.append("status IN (\(Array(repeating: "?", count: query.statuses.count).joined(separator: ", ")))")
                arguments += StatementArguments(query.statuses.map(\.rawValue))
            }
            if let key = query.idempotencyKey {
                clauses.append("idempotency_key = ?")
                arguments += [key]
            }
            if let tag = query.tag {
                clauses.append("EXISTS (SELECT 1 FROM json_each(run.tags) WHERE json_each.value = ?)")
                arguments += [tag]
            }
            if let parentID = query.parentID {
                clauses.append("parent_id = ?")
                arguments += [parentID.rawValue]
            }
            if let createdFrom = query.createdFrom {
                clauses.append("created_at >= ?")
                arguments += [createdFrom.millisecondsSince1970]
            }
            if let createdTo = query.createdTo {
                clauses.append("created_at < ?")
                arguments += [createdTo.millisecondsSince1970]
            }
            if let before = query.before {
                clauses.append("id < ?")
                arguments += [before.rawValue]
            }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(1, min(query.limit, 1000))]
            return try Row.fetchAll(db, sql: "SELECT \(Self.runColumns) FROM run \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map(RunRecord.init(row:))
        }
    }

    public func unfinishedRunCounts() async throws -> [RunCount] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT queue, status, COUNT(*) AS count FROM run WHERE status IN ('queued', 'running', 'waiting', 'parked') GROUP BY queue, status"
            ).compactMap { row in
                guard let status = RunStatus(rawValue: row["status"]) else { return nil }
                return RunCount(queue: row["queue"], status: status, count: row["count"])
            }
        }
    }

    // MARK: Helpers

    /// Runs `work` in the next group commit (see `WriteBatcher`).
    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await writer.write(work)
        } catch let error as KeelError {
            throw error
        } catch {
            throw KeelError(.storeFailure, "SQLite write to '\(path)' failed: \(error)", underlying: error)
        }
    }

    func read<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await pool.read(work)
        } catch let error as KeelError {
            throw error
        } catch {
            throw KeelError(.storeFailure, "SQLite read from '\(path)' failed: \(error)", underlying: error)
        }
    }
}

extension RunStore where Self == SQLiteRunStore {
    /// The SQLite store at `path` (created and migrated if needed).
    /// - Throws: ``KeelError/Code/storeFailure`` when the file cannot be opened.
    public static func sqlite(path: String, configuration: SQLiteRunStore.Configuration = .init()) throws -> SQLiteRunStore {
        try SQLiteRunStore(path: path, configuration: configuration)
    }
}
