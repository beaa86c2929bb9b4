public import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func commit(_ transition: RunTransition, lease: Lease, now: Date) async throws {
        if try await commitInOneStatement(transition, lease: lease, now: now) { return }
        try await transaction("commit of run '\(lease.runID)'") { [self] connection in
            try await Self.checkLease(lease, connection: connection, logger: logger)
            for entry in transition.entries {
                try await Self.insert(entry, connection: connection, logger: logger)
            }
            for waitpoint in transition.newWaitpoints {
                try await Self.insert(waitpoint, connection: connection, logger: logger)
            }
            try await Self.insertMany(transition.newRuns, connection: connection, logger: logger)
            try await Self.insertLogs(transition.logs, maximumPerRun: transition.maximumLogLinesPerRun, connection: connection, logger: logger)
            if !transition.newRuns.isEmpty { try await Self.notifyWork(connection, logger: logger) }
            try await Self.apply(transition.change, runID: lease.runID, now: now.millisecondsSince1970, connection: connection, logger: logger)
        }
    }

    public func cancelRun(_ id: RunID, now: Date) async throws -> [RunID] {
        try await transaction("cancellation of run '\(id)'") { [self] connection in
            guard let record = try await Self.fetchRun(id, forUpdate: true, connection: connection, logger: logger) else {
                throw KeelError(.runNotFound, "no run with id '\(id)'")
            }
            guard !record.status.isTerminal else { return [] }
            let now = now.millisecondsSince1970
            let unfinished = try await connection.rows(
                """
                WITH RECURSIVE tree(id) AS (
                    SELECT \(id.rawValue)::text UNION ALL SELECT run.id FROM run JOIN tree ON run.parent_id = tree.id
                )
                SELECT run.id FROM run JOIN tree ON run.id = tree.id
                WHERE run.status NOT IN ('completed', 'failed', 'cancelled', 'expired')
                ORDER BY run.id = \(id.rawValue) DESC, run.id
                """,
                logger: logger
            ).map { try $0.decode(String.self) }
            for runID in unfinished {
                let error = RecordedError(
                    type: "Cancelled",
                    message: runID == id.rawValue ? "the run was cancelled" : "cancelled with its ancestor run '\(id)'",
                    isRetryable: false
                )
                try await Self.finish(runID, status: .cancelled, output: nil, error: error, finishedAt: now, connection: connection, logger: logger)
                try await Self.appendStoreEntry(to: RunID(runID), kind: .runCancelled, error: error, now: now, connection: connection, logger: logger)
            }
            return unfinished.map { RunID($0) }
        }
    }

    static func insert(_ entry: JournalEntry, connection: PostgresConnection, logger: Logger) async throws {
        try await connection.rows(
            """
            INSERT INTO journal_entry (run_id, sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at)
            VALUES (\(entry.runID.rawValue), \(entry.sequence), \(entry.position), \(entry.kind.rawValue), \(entry.name), \(entry.attempt),
                    \(entry.payload), \(try encodeError(entry.error)), \(entry.startedAt?.millisecondsSince1970), \(entry.wakeAt?.millisecondsSince1970),
                    \(entry.recordedAt.millisecondsSince1970))
            """,
            logger: logger
        )
    }

    /// Appends a run-level entry the store writes itself (cancellation, expiry) after the last one.
    static func appendStoreEntry(to runID: RunID, kind: JournalEntry.Kind, error: RecordedError?, now: Int64, connection: PostgresConnection, logger: Logger) async throws {
        let sequence = try await connection.rows(
            "SELECT COALESCE(MAX(sequence) + 1, 0)::bigint FROM journal_entry WHERE run_id = \(runID.rawValue)", logger: logger
        ).first?.decode(Int64.self) ?? 0
        let entry = JournalEntry(
            runID: runID, sequence: Int(sequence), position: nil, kind: kind, name: kind.rawValue, error: error,
            recordedAt: Date(millisecondsSince1970: now)
        )
        try await insert(entry, connection: connection, logger: logger)
    }

    /// Throws ``KeelError/Code/leaseLost`` unless `lease` is the run's current lease (fencing);
    /// the row stays locked until the transaction ends, so the check holds for its writes.
    static func checkLease(_ lease: Lease, connection: PostgresConnection, logger: Logger) async throws {
        guard
            let row = try await connection.rows(
                "SELECT lease_token, lease_owner, status FROM run WHERE id = \(lease.runID.rawValue) FOR UPDATE", logger: logger
            ).first
        else { throw KeelError(.runNotFound, "no run with id '\(lease.runID)'") }
        let (token, owner, statusText) = try row.decode((Int64, String?, String).self)
        let status = RunStatus(rawValue: statusText) ?? .failed
        guard token == lease.token, owner == lease.workerID, status.isClaimable else {
            throw KeelError(
                .leaseLost,
                "worker '\(lease.workerID)' no longer holds run '\(lease.runID)' (status \(status), owner \(owner ?? "none"), lease \(token), presented \(lease.token))"
            )
        }
    }

    /// Applies a run's change of status and lease; the lease was checked.
    static func apply(_ change: RunTransition.Change, runID: RunID, now: Int64, connection: PostgresConnection, logger: Logger) async throws {
        let id = runID.rawValue
        switch change {
        case .none:
            return
        case .completed(let output):
            try await finish(id, status: .completed, output: output, error: nil, finishedAt: now, connection: connection, logger: logger)
        case .failed(let error):
            try await finish(id, status: .failed, output: nil, error: error, finishedAt: now, connection: connection, logger: logger)
        case .parked(let error):
            try await finish(id, status: .parked, output: nil, error: error, finishedAt: nil, connection: connection, logger: logger)
            try await connection.rows("UPDATE run SET updated_at = \(now) WHERE id = \(id)", logger: logger)
        case .running, .waitingInMemory, .suspended, .retrying:
            var parameters = SQLParameters()
            guard let (set, wakesWorkers) = RunChangeSQL.assignments(for: change, now: now, into: &parameters) else { return }
            let sql = "UPDATE run SET \(set) WHERE id = \(parameters.bind(id))"
            try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger)
            if wakesWorkers { try await notifyWork(connection, logger: logger) }
        }
    }

    /// Gives a run its final (or parked) status and, when it is final, settles the parent's
    /// waitpoint the run counts toward.
    static func finish(
        _ id: String, status: RunStatus, output: Data?, error: RecordedError?, finishedAt: Int64?, connection: PostgresConnection, logger: Logger
    ) async throws {
        var parameters = SQLParameters()
        let set = RunChangeSQL.finishing(status: status, output: output, error: try encodeError(error), finishedAt: finishedAt, into: &parameters)
        let sql = "UPDATE run SET \(set) WHERE id = \(parameters.bind(id)) RETURNING parent_waitpoint_id"
        let rows = try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger)
        if status.isTerminal, let now = finishedAt, let parentWaitpoint = try rows.first?.decode(String?.self) {
            try await settleChild(of: parentWaitpoint, now: now, connection: connection, logger: logger)
        }
    }
}
