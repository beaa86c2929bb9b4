import Foundation
import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    /// Commits the common transitions of a run in flight — a step's journal entry, a run
    /// finishing, a sleep — as one statement: one round trip and one commit instead of five
    /// (BEGIN, the lease check, the insert, the update, COMMIT).
    ///
    /// The statement locks the run's row only if `lease` is still its lease (fencing), and every
    /// write in it is conditioned on that row, so a stale lease writes nothing.
    /// - Returns: `false` when the transition needs the general path (children, waitpoints, log
    ///   lines, several entries, or the last child of a waitpoint finishing, which completes it);
    ///   nothing was written then.
    /// - Throws: ``KeelError/Code/leaseLost`` when the lease is not the run's.
    func commitInOneStatement(_ transition: RunTransition, lease: Lease, now: Date) async throws -> Bool {
        guard transition.newRuns.isEmpty, transition.newWaitpoints.isEmpty, transition.logs.isEmpty, transition.entries.count <= 1 else { return false }
        let now = now.millisecondsSince1970
        var statement = OneStatementCommit()
        let id = statement.bind(lease.runID.rawValue)
        statement.with(
            "lease",
            """
            SELECT id, parent_waitpoint_id FROM run
            WHERE id = \(id) AND lease_token = \(statement.bind(lease.token)) AND lease_owner = \(statement.bind(lease.workerID))
              AND status IN ('queued', 'running', 'waiting')
            FOR UPDATE
            """
        )
        if let entry = transition.entries.first {
            statement.with(
                "entry",
                """
                INSERT INTO journal_entry (run_id, sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at)
                SELECT id, \(statement.bind(Int64(entry.sequence))), \(statement.bind(entry.position.map(Int64.init)))::bigint,
                       \(statement.bind(entry.kind.rawValue)), \(statement.bind(entry.name)), \(statement.bind(Int64(entry.attempt))),
                       \(statement.bind(bytes: entry.payload))::bytea, \(statement.bind(try Self.encodeError(entry.error)))::text,
                       \(statement.bind(entry.startedAt?.millisecondsSince1970))::bigint, \(statement.bind(entry.wakeAt?.millisecondsSince1970))::bigint,
                       \(statement.bind(entry.recordedAt.millisecondsSince1970))
                FROM lease
                RETURNING 1
                """
            )
        }
        let finishing: Bool
        switch transition.change {
        case .none:
            finishing = false
        case .completed(let output):
            guard transition.entries.isEmpty else { return false }
            finishing = true
            statement.finish(status: .completed, output: output, error: nil, at: now)
        case .failed(let error):
            guard transition.entries.isEmpty else { return false }
            finishing = true
            statement.finish(status: .failed, output: nil, error: try Self.encodeError(error), at: now)
        case .parked:
            return false
        case .running, .waitingInMemory, .suspended, .retrying:
            finishing = false
            if let (set, wakesWorkers) = RunChangeSQL.assignments(for: transition.change, now: now, into: &statement.parameters) {
                statement.update(set)
                if wakesWorkers { statement.notify(Self.workChannel) }
            }
        }
        guard let row = try await query("commit of run '\(lease.runID)'", statement.prepared).first else { return false }
        let (held, changed) = try row.decode((Int64, Int64).self)
        guard held == 1 else {
            try await Self.throwLeaseLost(lease, store: self)
        }
        // The last child of a waitpoint completes it: the general path does that.
        return !(finishing && changed == 0)
    }

    /// Reads why `lease` is not the run's and throws ``KeelError/Code/leaseLost`` saying so.
    static func throwLeaseLost(_ lease: Lease, store: PostgresRunStore) async throws -> Never {
        guard let record = try await store.run(lease.runID) else { throw KeelError(.runNotFound, "no run with id '\(lease.runID)'") }
        throw KeelError(
            .leaseLost,
            "worker '\(lease.workerID)' no longer holds run '\(lease.runID)' (status \(record.status), presented lease \(lease.token))"
        )
    }
}

/// One `WITH … SELECT` statement assembled from parts, with its bind parameters.
struct OneStatementCommit {
    var parameters = SQLParameters()
    private var parts: [String] = []
    private var hasUpdate = false
    private var notifies = false

    /// Adds `value` as the next parameter and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        parameters.bind(value)
    }

    /// Adds `data` as the next parameter (BYTEA) and returns its placeholder.
    mutating func bind(bytes data: Data?) -> String {
        parameters.bind(bytes: data)
    }

    /// Adds a named part (`name AS (sql)`).
    mutating func with(_ name: String, _ sql: String) {
        parts.append("\(name) AS (\(sql))")
    }

    /// Updates the leased run's row with `assignments`.
    mutating func update(_ assignments: String, condition: String = "") {
        hasUpdate = true
        with("changed", "UPDATE run SET \(assignments) WHERE id IN (SELECT id FROM lease)\(condition) RETURNING 1")
    }

    /// Gives the leased run its final status and, for a child run, counts it down on the
    /// waitpoint its parent waits on — unless it is the last child there: then nothing is
    /// written, and the transaction completes the waitpoint and wakes the parent.
    ///
    /// The waitpoint's row is locked (`FOR UPDATE`) before its count is compared, so of two
    /// children finishing at once the second sees the first's count: exactly one of them is the
    /// last.
    mutating func finish(status: RunStatus, output: Data?, error: String?, at now: Int64) {
        with(
            "parent",
            """
            SELECT id FROM waitpoint
            WHERE id = (SELECT parent_waitpoint_id FROM lease) AND status = 'pending' AND pending_children > 1
            FOR UPDATE
            """
        )
        let set = RunChangeSQL.finishing(status: status, output: output, error: error, finishedAt: now, into: &parameters)
        update(set, condition: " AND ((SELECT parent_waitpoint_id FROM lease) IS NULL OR EXISTS (SELECT 1 FROM parent))")
        with(
            "settled",
            """
            UPDATE waitpoint SET pending_children = pending_children - 1
            WHERE id IN (SELECT id FROM parent) AND EXISTS (SELECT 1 FROM changed)
            RETURNING 1
            """
        )
    }

    /// Notifies `channel` when the run's lease was held.
    mutating func notify(_ channel: String) {
        notifies = true
        with("notified", "SELECT pg_notify(\(bind(channel)), '') FROM lease")
    }

    /// The statement: how many lease rows were locked (0 or 1) and how many rows the update changed.
    var prepared: PreparedSQL {
        let changed = hasUpdate ? "(SELECT COUNT(*) FROM changed)" : "0::bigint"
        let notified = notifies ? " WHERE (SELECT COUNT(*) FROM notified) >= 0" : ""
        let sql = "WITH " + parts.joined(separator: ",\n") + "\nSELECT (SELECT COUNT(*) FROM lease), \(changed)\(notified)"
        return PreparedSQL(sql: sql, parameters: parameters)
    }
}
