public import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func awaitWaitpoint(_ waitpoint: Waitpoint, lease: Lease, now: Date) async throws -> WaitResolution {
        try await transaction("wait of run '\(lease.runID)'") { [self] connection in
            try await Self.checkLease(lease, connection: connection, logger: logger)
            let now = now.millisecondsSince1970
            try await Self.insert(waitpoint, connection: connection, logger: logger)
            guard let stored = try await Self.fetchWaitpoint(waitpoint.id, forUpdate: true, connection: connection, logger: logger) else {
                throw KeelError(.storeFailure, "waitpoint '\(waitpoint.id)' vanished after its insert")
            }
            switch stored.status {
            case .completed:
                return try await Self.resolution(ofCompleted: stored, connection: connection, logger: logger)
            case .timedOut:
                return .timedOut
            case .pending:
                if let timeoutAt = stored.timeoutAt, timeoutAt.millisecondsSince1970 <= now {
                    try await connection.rows("UPDATE waitpoint SET status = 'timed_out', resolved_at = \(now) WHERE id = \(stored.id)", logger: logger)
                    return .timedOut
                }
                let timeout = stored.timeoutAt?.millisecondsSince1970
                try await connection.rows(
                    """
                    UPDATE run SET status = 'waiting', waiting_on = \(stored.id), wake_at = \(timeout), available_at = \(timeout), lease_owner = NULL,
                                   lease_expires_at = NULL, updated_at = \(now)
                    WHERE id = \(lease.runID.rawValue)
                    """,
                    logger: logger
                )
                return .suspended
            }
        }
    }

    public func completeToken(_ id: String, payload: Data, now: Date) async throws -> Waitpoint {
        try await transaction("completion of token '\(id)'") { [self] connection in
            guard let token = try await Self.fetchWaitpoint(id, forUpdate: true, connection: connection, logger: logger), token.kind == .token else {
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
            if let run = try await Self.fetchRun(token.runID, connection: connection, logger: logger), run.status.isTerminal {
                throw KeelError(.invalidState, "token '\(id)' can no longer be completed: its run \(run.id) is \(run.status)")
            }
            try await Self.complete(id, payload: payload, runID: token.runID, now: now.millisecondsSince1970, connection: connection, logger: logger)
            return try await Self.fetchWaitpoint(id, connection: connection, logger: logger) ?? token
        }
    }

    public func sendEvent(_ name: String, payload: Data, now: Date) async throws -> [RunID] {
        try await transaction("event '\(name)'") { [self] connection in
            let now = now.millisecondsSince1970
            let rows = try await connection.rows(
                """
                SELECT waitpoint.id, waitpoint.run_id FROM waitpoint JOIN run ON run.id = waitpoint.run_id
                WHERE waitpoint.kind = 'event' AND waitpoint.status = 'pending' AND waitpoint.event_name = \(name)
                  AND (waitpoint.timeout_at IS NULL OR waitpoint.timeout_at > \(now)) AND run.status = 'waiting'
                FOR UPDATE OF waitpoint
                """,
                logger: logger
            )
            var woken: [RunID] = []
            for row in rows {
                let (waitpointID, runID) = try row.decode((String, String).self)
                try await Self.complete(waitpointID, payload: payload, runID: RunID(runID), now: now, connection: connection, logger: logger)
                woken.append(RunID(runID))
            }
            return woken
        }
    }

    public func waitpoint(_ id: String) async throws -> Waitpoint? {
        try await query("read of waitpoint '\(id)'", "SELECT * FROM waitpoint WHERE id = \(id)").first.map(Self.waitpoint)
    }

    // MARK: Helpers

    /// Inserts `waitpoint` unless one with its id exists; a batch of no children is completed at once.
    static func insert(_ waitpoint: Waitpoint, connection: PostgresConnection, logger: Logger) async throws {
        let settled = waitpoint.kind == .children && waitpoint.pendingChildren == 0
        let created = waitpoint.createdAt.millisecondsSince1970
        let status = settled ? Waitpoint.Status.completed.rawValue : waitpoint.status.rawValue
        let resolvedAt: Int64? = settled ? created : nil
        try await connection.rows(
            """
            INSERT INTO waitpoint (id, run_id, kind, event_name, status, payload, pending_children, timeout_at, created_at, resolved_at)
            VALUES (\(waitpoint.id), \(waitpoint.runID.rawValue), \(waitpoint.kind.rawValue), \(waitpoint.eventName), \(status), \(waitpoint.payload),
                    \(waitpoint.pendingChildren), \(waitpoint.timeoutAt?.millisecondsSince1970), \(created), \(resolvedAt))
            ON CONFLICT (id) DO NOTHING
            """,
            logger: logger
        )
    }

    /// Completes a waitpoint and wakes the run if it waits on it.
    static func complete(_ id: String, payload: Data?, runID: RunID, now: Int64, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.rows("UPDATE waitpoint SET status = 'completed', payload = \(payload), resolved_at = \(now) WHERE id = \(id)", logger: logger)
        let woken = try await connection.rows(
            """
            UPDATE run SET available_at = \(now), wake_at = NULL, updated_at = \(now)
            WHERE id = \(runID.rawValue) AND status = 'waiting' AND waiting_on = \(id) AND lease_owner IS NULL
            RETURNING id
            """,
            logger: logger
        )
        if !woken.isEmpty { try await notifyWork(connection, logger: logger) }
    }

    /// One child of a batch settled: counts it down and completes the batch at zero.
    static func settleChild(of waitpointID: String, now: Int64, connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.rows(
            """
            UPDATE waitpoint SET pending_children = pending_children - 1
            WHERE id = \(waitpointID) AND status = 'pending' AND pending_children > 0
            RETURNING pending_children, run_id
            """,
            logger: logger
        )
        guard let row = rows.first else { return }
        let (pending, runID) = try row.decode((Int32, String).self)
        if pending == 0 { try await complete(waitpointID, payload: nil, runID: RunID(runID), now: now, connection: connection, logger: logger) }
    }

    static func resolution(ofCompleted waitpoint: Waitpoint, connection: PostgresConnection, logger: Logger) async throws -> WaitResolution {
        guard waitpoint.kind == .children else { return .completed(payload: waitpoint.payload) }
        let children = try await connection.rows(
            "SELECT * FROM run WHERE parent_waitpoint_id = \(waitpoint.id) ORDER BY batch_index", logger: logger
        ).map(runRecord)
        return .childrenSettled(children)
    }

    static func fetchWaitpoint(_ id: String, forUpdate: Bool = false, connection: PostgresConnection, logger: Logger) async throws -> Waitpoint? {
        var bindings = PostgresBindings()
        bindings.append(id)
        let sql = forUpdate ? "SELECT * FROM waitpoint WHERE id = $1 FOR UPDATE" : "SELECT * FROM waitpoint WHERE id = $1"
        return try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).first.map(waitpoint)
    }
}
