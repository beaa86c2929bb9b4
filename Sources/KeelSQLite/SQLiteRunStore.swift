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

        /// Creates a configuration.
        public init(durability: Durability = .full, busyTimeout: Duration = .seconds(10)) {
            self.durability = durability
            self.busyTimeout = busyTimeout
        }
    }

    /// The schema version this code writes (the number of migrations).
    public static let schemaVersion = 1

    /// The file's path.
    public let path: String
    let pool: DatabasePool
    let writer: WriteBatcher

    /// Opens (creating if needed) the store at `path` and migrates its schema.
    /// - Throws: ``KeelError/Code/storeFailure`` naming the file when it cannot be opened or migrated.
    public init(path: String, configuration: Configuration = .init()) throws {
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
            try Self.migrator.migrate(pool)
        } catch {
            throw KeelError(.storeFailure, "cannot open the SQLite store at '\(path)': \(error)", underlying: error)
        }
        writer = WriteBatcher(pool: pool)
    }

    /// The schema versions applied to this file, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    // MARK: RunStore

    public func createRun(_ run: NewRun, lease: (workerID: String, expiresAt: Date)?) async throws -> CreatedRun {
        try await write { db in
            let now = run.createdAt.millisecondsSince1970
            let leased = lease != nil
            try db.cachedStatement(
                sql: """
                    INSERT INTO run (id, task_name, task_version, queue, status, input, created_at, started_at, updated_at,
                                     available_at, lease_owner, lease_token, lease_expires_at, wake_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                run.id.rawValue, run.taskName, run.taskVersion, run.queue,
                leased ? RunStatus.running.rawValue : RunStatus.queued.rawValue, run.input, now,
                leased ? now : nil, now,
                lease?.expiresAt.millisecondsSince1970 ?? run.availableAt.millisecondsSince1970,
                lease?.workerID, leased ? 1 : 0, lease?.expiresAt.millisecondsSince1970,
                run.availableAt > run.createdAt ? run.availableAt.millisecondsSince1970 : nil,
            ])
            let record = RunRecord(
                id: run.id, taskName: run.taskName, taskVersion: run.taskVersion, queue: run.queue,
                status: leased ? .running : .queued, input: run.input, createdAt: run.createdAt,
                startedAt: leased ? run.createdAt : nil, updatedAt: run.createdAt,
                wakeAt: run.availableAt > run.createdAt ? run.availableAt : nil,
                leaseOwner: lease?.workerID, leaseExpiresAt: lease?.expiresAt
            )
            let grant = lease.map { Lease(runID: run.id, workerID: $0.workerID, token: 1, expiresAt: $0.expiresAt) }
            return CreatedRun(record: record, lease: grant)
        }
    }

    public func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun] {
        guard request.limit > 0, !request.taskNames.isEmpty else { return [] }
        return try await write { db in
            let taskPlaceholders = Array(repeating: "?", count: request.taskNames.count).joined(separator: ", ")
            let now = request.now.millisecondsSince1970
            let expires = request.leaseExpiresAt.millisecondsSince1970
            var arguments: StatementArguments = [request.workerID, expires, expires, now, now, request.queue, now, request.workerID]
            arguments += StatementArguments(request.taskNames)
            arguments += [request.limit]
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE run
                        SET status = 'running', lease_owner = ?, lease_token = lease_token + 1, lease_expires_at = ?,
                            available_at = ?, started_at = COALESCE(started_at, ?), updated_at = ?, wake_at = NULL
                        WHERE id IN (
                            SELECT id FROM run
                            WHERE queue = ? AND available_at IS NOT NULL AND available_at <= ?
                              AND (lease_owner IS NULL OR lease_owner != ?)
                              AND task_name IN (\(taskPlaceholders))
                            ORDER BY available_at
                            LIMIT ?)
                        RETURNING *
                        """
                ),
                arguments: arguments
            )
            return try rows.map { row in
                let record = try RunRecord(row: row)
                let lease = Lease(runID: record.id, workerID: request.workerID, token: row["lease_token"], expiresAt: request.leaseExpiresAt)
                return ClaimedRun(record: record, lease: lease)
            }
        }
    }

    public func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws {
        try await write { db in
            try Self.checkLease(lease, db: db)
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO journal_entry (run_id, sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for entry in transition.entries {
                try statement.execute(arguments: [
                    entry.runID.rawValue, entry.sequence, entry.position, entry.kind.rawValue, entry.name, entry.attempt,
                    entry.payload, try entry.error.map(Self.encodeError), entry.startedAt?.millisecondsSince1970,
                    entry.wakeAt?.millisecondsSince1970, entry.recordedAt.millisecondsSince1970,
                ])
            }
            try Self.apply(transition.change, runID: lease.runID, now: now.millisecondsSince1970, db: db)
        }
    }

    public func renewLeases(workerID: String, expiresAt: Date) async throws {
        try await write { db in
            let expires = expiresAt.millisecondsSince1970
            try db.cachedStatement(sql: "UPDATE run SET lease_expires_at = ?, available_at = ? WHERE lease_owner = ?")
                .execute(arguments: [expires, expires, workerID])
        }
    }

    public func releaseLeases(workerID: String, now: Date) async throws {
        try await write { db in
            let now = now.millisecondsSince1970
            try db.execute(
                sql: """
                    UPDATE run
                    SET available_at = CASE WHEN status = 'waiting' AND wake_at IS NOT NULL THEN wake_at ELSE ? END,
                        status = CASE WHEN status = 'running' THEN 'queued' ELSE status END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE lease_owner = ?
                    """,
                arguments: [now, now, workerID]
            )
        }
    }

    public func cancelRun(_ id: RunID, now: Date) async throws -> RunRecord {
        try await write { db in
            guard let record = try Self.fetchRun(id, db: db) else { throw KeelError(.runNotFound, "no run with id '\(id)'") }
            guard !record.status.isTerminal else { return record }
            let now = now.millisecondsSince1970
            try db.execute(
                sql: """
                    UPDATE run SET status = 'cancelled', finished_at = ?, updated_at = ?, available_at = NULL, wake_at = NULL,
                                   lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """,
                arguments: [now, now, id.rawValue]
            )
            return try Self.fetchRun(id, db: db) ?? record
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

    public func journal(_ id: RunID) async throws -> [JournalEntry] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM journal_entry WHERE run_id = ? ORDER BY sequence"), arguments: [id.rawValue])
                .map(JournalEntry.init(row:))
        }
    }

    public func nextDueTime(queue: String, workerID: String) async throws -> Date? {
        try await read { db in
            let milliseconds = try Int64.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT available_at FROM run
                        WHERE queue = ? AND available_at IS NOT NULL AND (lease_owner IS NULL OR lease_owner != ?)
                        ORDER BY available_at LIMIT 1
                        """
                ),
                arguments: [queue, workerID]
            )
            return milliseconds.map(Date.init(millisecondsSince1970:))
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
            if let before = query.before {
                clauses.append("id < ?")
                arguments += [before.rawValue]
            }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [max(1, min(query.limit, 1000))]
            return try Row.fetchAll(db, sql: "SELECT * FROM run \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map(RunRecord.init(row:))
        }
    }

    // MARK: Helpers

    private func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        do {
            return try await writer.write(work)
        } catch let error as KeelError {
            throw error
        } catch {
            throw KeelError(.storeFailure, "SQLite write to '\(path)' failed: \(error)", underlying: error)
        }
    }

    private func read<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
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
