import Foundation
import Keel
import PostgresNIO

/// One commit a ``CommitGroup`` may batch: a step's journal entry, or a run finishing.
struct GroupedCommit: Sendable {
    /// A finishing run's final status and result.
    struct Finish: Sendable {
        let status: RunStatus
        let output: Data?
        let error: String?
    }

    let lease: Lease
    let entry: JournalEntry?
    let finish: Finish?
    let now: Int64
}

/// A trigger a ``CommitGroup`` may batch: a run with nothing to look up first (no idempotency
/// or debounce key), leased to the triggering worker when `lease` is given.
struct GroupedTrigger: Sendable {
    let run: NewRun
    let lease: (workerID: String, expiresAt: Date)?
}

/// What became of one ``GroupedCommit``.
enum GroupedCommitOutcome: Sendable {
    /// Written.
    case committed
    /// Nothing written: the lease is not the run's.
    case leaseNotHeld
    /// Nothing written: a finishing child run whose batch holds the last children of its
    /// parent's waitpoint; the general path completes the waitpoint.
    case needsGeneralPath
}

extension PostgresRunStore {
    /// The most commits one grouped statement carries.
    static let maximumGroupedCommits = 64

    /// Writes `commits` (of distinct runs) in one statement; each is fenced by its own lease.
    func sendGroupedCommits(_ commits: [GroupedCommit]) async throws -> [GroupedCommitOutcome] {
        if commits.count == 1 { return [try await sendAlone(commits[0])] }
        let statement = try Self.groupedCommitStatement(commits)
        var attempt = 1
        while true {
            do {
                let rows = try await query("commit of \(commits.count) runs", statement)
                var written: [String: Bool] = [:]
                for row in rows {
                    let (id, finished) = try row.decode((String, Bool).self)
                    written[id] = finished
                }
                return commits.map { commit in
                    guard let finished = written[commit.lease.runID.rawValue] else { return .leaseNotHeld }
                    return commit.finish == nil || finished ? .committed : .needsGeneralPath
                }
            } catch let error as KeelError where attempt < 3 && Self.isRetryable(error) {
                // Two statements locked rows in opposite orders: the server aborted this one.
                attempt += 1
            }
        }
    }

    /// Whether `error` wraps a failure after which the statement may run again (a deadlock).
    static func isRetryable(_ error: KeelError) -> Bool {
        (error.underlying as? PSQLError).map(isRetryable) ?? false
    }

    /// The grouped statement: its input rows as arrays, one per column (`unnest`), every run's
    /// row locked in id order when its lease is still the one presented, the entries inserted,
    /// and the finishing runs finished — a child counting itself down on its parent's waitpoint
    /// unless the batch holds that waitpoint's last children (then none of them is written, nor
    /// the entries committed with their finish).
    ///
    /// Its text is the same for every batch, so each connection prepares and plans it once
    /// (with a `VALUES` row per commit, every size was another statement, planned anew).
    ///
    /// Each run's row is looked up and locked by its primary key alone, one `LATERAL` lookup per
    /// input row, and its lease compared after (`OFFSET 0` keeps the comparison from being pushed
    /// into the lookup): with the lease's columns in the lookup, the planner chose the index of
    /// leased runs and filtered all of the worker's runs for each input row. As a join, the plan
    /// made on statistics taken while the table was small read every unfinished run through the
    /// status index and hashed them against the input: with 6,000 runs triggered at once, each
    /// grouped commit read thousands of rows, and that was most of the server's CPU in Ac.
    /// - Returns: a row per run whose lease was held: its id and whether its finish (if any) was written.
    static func groupedCommitStatement(_ commits: [GroupedCommit]) throws -> PreparedSQL {
        var p = SQLParameters()
        func column<Value: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ value: (GroupedCommit) throws -> Value?) rethrows -> String {
            try p.bindColumn(of: commits, value)
        }
        let columns = try [
            column { $0.lease.runID.rawValue }, column { $0.lease.token }, column { $0.lease.workerID },
            column { $0.entry.map { Int64($0.sequence) } }, column { $0.entry?.position.map(Int64.init) }, column { $0.entry?.kind.rawValue },
            column { $0.entry?.name }, column { $0.entry.map { Int64($0.attempt) } }, column { $0.entry?.payload.map { ByteBuffer(bytes: $0) } },
            column { try encodeError($0.entry?.error) }, column { $0.entry?.startedAt?.millisecondsSince1970 },
            column { $0.entry?.wakeAt?.millisecondsSince1970 }, column { $0.entry?.recordedAt.millisecondsSince1970 },
            column { $0.finish?.status.rawValue }, column { $0.finish?.output.map { ByteBuffer(bytes: $0) } }, column { $0.finish?.error },
            column { $0.now },
        ]
        let sql = """
            WITH input AS (
                SELECT * FROM unnest(\(columns.joined(separator: ", ")))
                    AS input (run_id, lease_token, lease_owner, sequence, position, kind, name, attempt, payload, error, started_at, wake_at,
                              recorded_at, status, output, run_error, now)
            ),
            lease AS (
                SELECT locked.id, locked.parent_waitpoint_id
                FROM (SELECT run_id, lease_token, lease_owner FROM input ORDER BY run_id) AS held,
                LATERAL (
                    SELECT run.id, run.parent_waitpoint_id, run.lease_token, run.lease_owner, run.status FROM run
                    WHERE run.id = held.run_id
                    OFFSET 0 FOR UPDATE
                ) AS locked
                WHERE locked.lease_token = held.lease_token AND locked.lease_owner = held.lease_owner
                  AND locked.status IN ('queued', 'running', 'waiting')
            ),
            children AS (
                SELECT lease.parent_waitpoint_id AS id, COUNT(*) AS finishing
                FROM lease JOIN input ON input.run_id = lease.id
                WHERE input.status IS NOT NULL AND lease.parent_waitpoint_id IS NOT NULL
                GROUP BY lease.parent_waitpoint_id
            ),
            parent AS (
                SELECT waitpoint.id, children.finishing FROM waitpoint JOIN children ON children.id = waitpoint.id
                WHERE waitpoint.status = 'pending' AND waitpoint.pending_children > children.finishing
                ORDER BY waitpoint.id
                FOR UPDATE OF waitpoint
            ),
            entry AS (
                INSERT INTO journal_entry (run_id, sequence, position, kind, name, attempt, payload, error, started_at, wake_at, recorded_at)
                SELECT input.run_id, input.sequence, input.position, input.kind, input.name, input.attempt, input.payload, input.error,
                       input.started_at, input.wake_at, input.recorded_at
                FROM input JOIN lease ON lease.id = input.run_id
                WHERE input.sequence IS NOT NULL
                  AND (input.status IS NULL OR lease.parent_waitpoint_id IS NULL OR lease.parent_waitpoint_id IN (SELECT id FROM parent))
                RETURNING 1
            ),
            finished AS (
                UPDATE run SET status = input.status, output = input.output, error = input.run_error, finished_at = input.now,
                               updated_at = input.now, available_at = NULL, wake_at = NULL, waiting_on = NULL, lease_owner = NULL,
                               lease_expires_at = NULL
                FROM input JOIN lease ON lease.id = input.run_id
                WHERE run.id = input.run_id AND input.status IS NOT NULL
                  AND (lease.parent_waitpoint_id IS NULL OR lease.parent_waitpoint_id IN (SELECT id FROM parent))
                RETURNING run.id
            ),
            settled AS (
                UPDATE waitpoint SET pending_children = waitpoint.pending_children - parent.finishing
                FROM parent WHERE waitpoint.id = parent.id
                RETURNING 1
            )
            SELECT lease.id, EXISTS (SELECT 1 FROM finished WHERE finished.id = lease.id) FROM lease
            """
        return PreparedSQL(sql: sql, parameters: p)
    }
}
