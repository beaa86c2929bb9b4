public import Foundation
import GRDB
public import Keel

extension SQLiteRunStore {
    public func awaitWaitpoint(_ waitpoint: Waitpoint, lease: Lease, now: Date) async throws -> WaitResolution {
        try await write { db in
            try Self.checkLease(lease, db: db)
            let now = now.millisecondsSince1970
            try Self.insert(waitpoint, db: db)
            guard let stored = try Self.fetchWaitpoint(waitpoint.id, db: db) else {
                throw KeelError(.storeFailure, "waitpoint '\(waitpoint.id)' vanished after its insert")
            }
            switch stored.status {
            case .completed:
                return try Self.resolution(ofCompleted: stored, db: db)
            case .timedOut:
                return .timedOut
            case .pending:
                if let timeoutAt = stored.timeoutAt, timeoutAt.millisecondsSince1970 <= now {
                    try db.cachedStatement(sql: "UPDATE waitpoint SET status = 'timed_out', resolved_at = ? WHERE id = ?")
                        .execute(arguments: [now, stored.id])
                    return .timedOut
                }
                let timeout = stored.timeoutAt?.millisecondsSince1970
                try db.cachedStatement(
                    sql: """
                        UPDATE run SET status = 'waiting', waiting_on = ?, wake_at = ?, available_at = ?, lease_owner = NULL,
                                       lease_expires_at = NULL, updated_at = ?
                        WHERE id = ?
                        """
                ).execute(arguments: [stored.id, timeout, timeout, now, lease.runID.rawValue])
                return .suspended
            }
        }
    }

    public func completeToken(_ id: String, payload: Data, now: Date) async throws -> Waitpoint {
        try await write { db in
            guard let token = try Self.fetchWaitpoint(id, db: db), token.kind == .token else {
                throw KeelError(.tokenNotFound, "no waitpoint token with id '\(id)'")
            }
            switch token.status {
            case .completed:
                throw KeelError(.invalidState, "token '\(id)' was already completed at \(token.resolvedAt.map { $0.formatted(.iso8601) } ?? "an earlier time")")
            case .timedOut:
                throw KeelError(.invalidState, "token '\(id)' timed out at \(token.timeoutAt.map { $0.formatted(.iso8601) } ?? "an earlier time")")
            case .pending:
                if let timeoutAt = token.timeoutAt, timeoutAt <= now {
                    throw KeelError(.invalidState, "token '\(id)' timed out at \(timeoutAt.formatted(.iso8601))")
                }
            }
            if let run = try Self.fetchRun(token.runID, db: db), run.status.isTerminal {
                throw KeelError(.invalidState, "token '\(id)' can no longer be completed: its run \(run.id) is \(run.status)")
            }
            let now = now.millisecondsSince1970
            try Self.complete(id, payload: payload, runID: token.runID, now: now, db: db)
            return try Self.fetchWaitpoint(id, db: db) ?? token
        }
    }

    public func sendEvent(_ name: String, payload: Data, now: Date) async throws -> [RunID] {
        try await write { db in
            let now = now.millisecondsSince1970
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT waitpoint.id, waitpoint.run_id FROM waitpoint JOIN run ON run.id = waitpoint.run_id
                        WHERE waitpoint.kind = 'event' AND waitpoint.status = 'pending' AND waitpoint.event_name = ?
                          AND (waitpoint.timeout_at IS NULL OR waitpoint.timeout_at > ?) AND run.status = 'waiting'
                        """
                ),
                arguments: [name, now]
            )
            for row in rows {
                try Self.complete(row["id"], payload: payload, runID: RunID(row["run_id"]), now: now, db: db)
            }
            return rows.map { RunID($0["run_id"]) }
        }
    }

    public func waitpoint(_ id: String) async throws -> Waitpoint? {
        try await read { db in try Self.fetchWaitpoint(id, db: db) }
    }

    // MARK: Helpers

    /// Inserts `waitpoint` unless one with its id exists; a batch of no children is completed at once.
    static func insert(_ waitpoint: Waitpoint, db: Database) throws {
        let settled = waitpoint.kind == .children && waitpoint.pendingChildren == 0
        let created = waitpoint.createdAt.millisecondsSince1970
        try db.cachedStatement(
            sql: """
                INSERT INTO waitpoint (id, run_id, kind, event_name, status, payload, pending_children, timeout_at, created_at, resolved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """
        ).execute(arguments: [
            waitpoint.id, waitpoint.runID.rawValue, waitpoint.kind.rawValue, waitpoint.eventName,
            settled ? Waitpoint.Status.completed.rawValue : waitpoint.status.rawValue, waitpoint.payload,
            waitpoint.pendingChildren, waitpoint.timeoutAt?.millisecondsSince1970, created, settled ? created : nil,
        ])
    }

    /// Completes a waitpoint and wakes the run if it waits on it.
    static func complete(_ id: String, payload: Data?, runID: RunID, now: Int64, db: Database) throws {
        try db.cachedStatement(sql: "UPDATE waitpoint SET status = 'completed', payload = ?, resolved_at = ? WHERE id = ?")
            .execute(arguments: [payload, now, id])
        try db.cachedStatement(
            sql: """
                UPDATE run SET available_at = ?, wake_at = NULL, updated_at = ?
                WHERE id = ? AND status = 'waiting' AND waiting_on = ? AND lease_owner IS NULL
                """
        ).execute(arguments: [now, now, runID.rawValue, id])
    }

    /// One child of a batch settled: counts it down and completes the batch at zero.
    static func settleChild(of waitpointID: String, now: Int64, db: Database) throws {
        // Read back by a SELECT, not RETURNING, which SQLite buffers in a temporary b-tree.
        try db.cachedStatement(
            sql: """
                UPDATE waitpoint SET pending_children = pending_children - 1
                WHERE id = ? AND status = 'pending' AND pending_children > 0
                """
        ).execute(arguments: [waitpointID])
        guard db.changesCount > 0 else { return }
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT pending_children, run_id FROM waitpoint WHERE id = ?"),
            arguments: [waitpointID]
        )
        guard let row, (row[0] as Int) == 0 else { return }
        try complete(waitpointID, payload: nil, runID: RunID(row[1]), now: now, db: db)
    }

    static func resolution(ofCompleted waitpoint: Waitpoint, db: Database) throws -> WaitResolution {
        guard waitpoint.kind == .children else { return .completed(payload: waitpoint.payload) }
        let children = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT \(runColumns) FROM run WHERE parent_waitpoint_id = ? ORDER BY batch_index"),
            arguments: [waitpoint.id]
        ).map(RunRecord.init(row:))
        return .childrenSettled(children)
    }

    static func fetchWaitpoint(_ id: String, db: Database) throws -> Waitpoint? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM waitpoint WHERE id = ?"), arguments: [id]).map { row in
            func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(millisecondsSince1970:)) }
            return Waitpoint(
                id: row["id"], runID: RunID(row["run_id"]), kind: Waitpoint.Kind(rawValue: row["kind"]) ?? .token,
                eventName: row["event_name"], status: Waitpoint.Status(rawValue: row["status"]) ?? .pending,
                payload: row["payload"], pendingChildren: row["pending_children"], timeoutAt: date("timeout_at"),
                createdAt: date("created_at")!, resolvedAt: date("resolved_at")
            )
        }
    }
}
