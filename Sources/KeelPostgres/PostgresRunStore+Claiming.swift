public import Foundation
public import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    public func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun] {
        guard !request.taskNames.isEmpty, !request.queues.isEmpty else { return [] }
        if let claimed = try await claimInOneStatement(request) { return claimed }
        return try await transaction("claim") { [self] connection in
            try await Self.expireOverdueRuns(now: request.now.millisecondsSince1970, connection: connection, logger: logger)
            guard request.limit > 0 else { return [] }
            var claimed: [ClaimedRun] = []
            for queue in request.queues where claimed.count < request.limit {
                var queueRequest = request
                queueRequest.limit = request.limit - claimed.count
                if queue.concurrencyLimit == nil, queue.concurrencyLimitPerKey == nil, queue.rateLimit == nil {
                    claimed += try await Self.claimUnlimited(queue: queue.name, request: queueRequest, connection: connection, logger: logger)
                } else {
                    claimed += try await Self.claimLimited(queue: queue, request: queueRequest, connection: connection, logger: logger)
                }
            }
            return claimed
        }
    }

    /// The common claim — one queue without limits, and no run whose time to live ran out — as
    /// one statement outside a transaction: one round trip instead of four.
    /// - Returns: `nil` when the general path must run (limits, several queues, nothing
    ///   claimed: then runs may be waiting to expire).
    private func claimInOneStatement(_ request: ClaimRequest) async throws -> [ClaimedRun]? {
        guard request.limit > 0, request.queues.count == 1, let queue = request.queues.first,
            queue.concurrencyLimit == nil, queue.concurrencyLimitPerKey == nil, queue.rateLimit == nil
        else { return nil }
        let rows = try await query("claim", Self.claimStatement(queue: queue.name, request: request, unlessExpiring: true))
        return rows.isEmpty ? nil : try rows.map { try Self.claimedRun($0, request: request) }
    }

    /// Claims from a queue without limits: one statement; rows other workers are claiming are skipped.
    private static func claimUnlimited(queue: String, request: ClaimRequest, connection: PostgresConnection, logger: Logger) async throws -> [ClaimedRun] {
        let rows = try await connection.rows(claimStatement(queue: queue, request: request, unlessExpiring: false), logger: logger)
        return try rows.map { try claimedRun($0, request: request) }
    }

    /// The claim of up to `request.limit` due runs of `queue`, in claim order; with
    /// `unlessExpiring`, it claims nothing while a run's time to live has run out (those are
    /// expired first, in a transaction).
    ///
    /// It is the function `keel_claim`, whose plan may use indexes only: the claim-order index read
    /// in order and left after `limit` rows, then each run by its key. Left to itself, the planner
    /// chooses by the table's statistics, and on a queue that filled faster than autovacuum
    /// analysed it, it read and sorted every due run to return the first few, then found them by
    /// scanning the table (measured: 3,000 runs sorted per claim, 2–4 ms a claim). The function
    /// is PL/pgSQL, so its plan is made once per session (migration v5): the SQL function of v3
    /// was parsed and planned on every call (measured: a tenth of the server's CPU in Ac).
    static func claimStatement(queue: String, request: ClaimRequest, unlessExpiring: Bool) -> PreparedSQL {
        var p = SQLParameters()
        let arguments = [
            p.bind(queue), p.bind(request.now.millisecondsSince1970), p.bind(request.workerID), p.bind(request.taskNames),
            p.bind(Int64(request.limit)), p.bind(request.leaseExpiresAt.millisecondsSince1970), p.bind(unlessExpiring),
        ]
        return PreparedSQL(sql: "SELECT \(runColumns) FROM keel_claim(\(arguments.joined(separator: ", ")))", parameters: p)
    }

    /// Claims from a queue with limits. Workers claiming from it take turns (an advisory lock on
    /// the queue), so counts of leased and started runs stay true across machines.
    private static func claimLimited(queue: QueueDefinition, request: ClaimRequest, connection: PostgresConnection, logger: Logger) async throws -> [ClaimedRun] {
        try await connection.rows("SELECT pg_advisory_xact_lock(hashtext(\("keel-queue:" + queue.name)))", logger: logger)
        let now = request.now.millisecondsSince1970
        var capacity = request.limit
        if let limit = queue.concurrencyLimit {
            let leased = try await count(
                "SELECT COUNT(*) FROM run WHERE queue = \(queue.name) AND lease_owner IS NOT NULL AND lease_expires_at > \(now)", connection, logger)
            capacity = min(capacity, limit - leased)
        }
        var freshStarts = Int.max
        if let rate = queue.rateLimit {
            freshStarts = rate.limit - (try await recentStarts(queue: queue.name, since: now - rate.period.wholeMilliseconds, connection, logger))
        }
        guard capacity > 0 else { return [] }
        var saturatedKeys: [String] = []
        if let perKey = queue.concurrencyLimitPerKey {
            saturatedKeys = try await connection.rows(
                """
                SELECT concurrency_key FROM run
                WHERE queue = \(queue.name) AND concurrency_key IS NOT NULL AND lease_owner IS NOT NULL AND lease_expires_at > \(now)
                GROUP BY concurrency_key HAVING COUNT(*) >= \(perKey)
                """,
                logger: logger
            ).map { try $0.decode(String.self) }
        }
        let taskNames = Set(request.taskNames)
        var leasedByKey: [String: Int] = [:]
        var claimed: [ClaimedRun] = []
        var offset = 0
        var firstStarts = 0
        let pageSize = 256
        scanning: while claimed.count < capacity && offset < 4096 {
            let candidates = try await connection.rows(
                """
                SELECT id, task_name, concurrency_key, started_at FROM run
                WHERE queue = \(queue.name) AND available_at IS NOT NULL AND available_at - priority_ms <= \(now) AND available_at <= \(now)
                  AND (lease_owner IS NULL OR lease_owner <> \(request.workerID))
                  AND (concurrency_key IS NULL OR NOT (concurrency_key = ANY(\(saturatedKeys))))
                ORDER BY available_at - priority_ms
                LIMIT \(pageSize) OFFSET \(offset)
                """,
                logger: logger
            )
            offset += candidates.count
            for candidate in candidates {
                let row = StoredRow(candidate)
                guard taskNames.contains(try row.string("task_name")) else { continue }
                let isFresh = try row.optionalInt("started_at") == nil
                if isFresh && freshStarts <= 0 { continue }
                if let key = try row.optionalString("concurrency_key"), let perKey = queue.concurrencyLimitPerKey {
                    let leased: Int
                    if let known = leasedByKey[key] {
                        leased = known
                    } else {
                        leased = try await count(
                            """
                            SELECT COUNT(*) FROM run
                            WHERE queue = \(queue.name) AND concurrency_key = \(key) AND lease_owner IS NOT NULL AND lease_expires_at > \(now)
                            """,
                            connection, logger
                        )
                    }
                    if leased >= perKey {
                        leasedByKey[key] = leased
                        continue
                    }
                    leasedByKey[key] = leased + 1
                }
                if let run = try await lease(RunID(try row.string("id")), request: request, connection: connection, logger: logger) {
                    claimed.append(run)
                    if isFresh {
                        freshStarts -= 1
                        firstStarts += 1
                    }
                    offset -= 1
                }
                if claimed.count == capacity { break scanning }
            }
            if candidates.count < pageSize { break }
        }
        if queue.rateLimit != nil {
            try await recordStarts(count: firstStarts, queue: queue.name, now: now, connection, logger)
        }
        return claimed
    }

    /// How many runs of a rate-limited queue started after `since`, from `queue_start` (one row
    /// per start, recorded by ``recordStarts(count:queue:now:_:_:)``); older rows are deleted first.
    private static func recentStarts(queue: String, since: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        try await connection.rows("DELETE FROM queue_start WHERE queue = \(queue) AND started_at <= \(since)", logger: logger)
        return try await count("SELECT COUNT(*) FROM queue_start WHERE queue = \(queue) AND started_at > \(since)", connection, logger)
    }

    /// Records `count` runs started for the first time now on a rate-limited queue, in the claim's transaction.
    private static func recordStarts(count: Int, queue: String, now: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard count > 0 else { return }
        try await connection.rows(
            "INSERT INTO queue_start (queue, started_at) SELECT \(queue), \(now) FROM generate_series(1, \(Int64(count)))",
            logger: logger
        )
    }

    private static func count(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        Int(try await connection.rows(query, logger: logger).first?.decode(Int64.self) ?? 0)
    }

    private static func lease(_ id: RunID, request: ClaimRequest, connection: PostgresConnection, logger: Logger) async throws -> ClaimedRun? {
        let now = request.now.millisecondsSince1970
        let expires = request.leaseExpiresAt.millisecondsSince1970
        let rows = try await connection.rows(
            """
            UPDATE run
            SET status = 'running', lease_owner = \(request.workerID), lease_token = lease_token + 1, lease_expires_at = \(expires),
                available_at = \(expires), started_at = COALESCE(started_at, \(now)), updated_at = \(now), wake_at = NULL
            WHERE id = \(id.rawValue)
            RETURNING *
            """,
            logger: logger
        )
        return try rows.first.map { try claimedRun($0, request: request) }
    }

    private static func claimedRun(_ row: PostgresRow, request: ClaimRequest) throws -> ClaimedRun {
        let record = try runRecord(row)
        let token = try StoredRow(row).int64("lease_token")
        let lease = Lease(runID: record.id, workerID: request.workerID, token: token, expiresAt: request.leaseExpiresAt)
        // Its first lease (created queued with token 0): no journal entry can exist yet, since
        // entries are written under a lease and the store's own (cancelled, expired) end the run.
        return ClaimedRun(record: record, lease: lease, journal: token == 1 ? [] : nil)
    }

    /// Expires runs whose time to live passed before they started.
    static func expireOverdueRuns(now: Int64, connection: PostgresConnection, logger: Logger) async throws {
        let ids = try await connection.rows(
            """
            SELECT id FROM run WHERE expires_at IS NOT NULL AND status = 'queued' AND expires_at <= \(now) AND started_at IS NULL
            LIMIT 1000 FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        ).map { try $0.decode(String.self) }
        for id in ids {
            let error = RecordedError(type: "Expired", message: "the run did not start before its time to live ran out", isRetryable: false)
            try await finish(id, status: .expired, output: nil, error: error, finishedAt: now, connection: connection, logger: logger)
            try await appendStoreEntry(to: RunID(id), kind: .runExpired, error: error, now: now, connection: connection, logger: logger)
        }
    }

    public func nextDueTime(queues: [String], workerID: String) async throws -> Date? {
        guard !queues.isEmpty else { return nil }
        let rows = try await query(
            "read of the next due time",
            """
            SELECT MIN(due) FROM (
                SELECT (SELECT available_at FROM run
                        WHERE queue = q AND available_at IS NOT NULL AND (lease_owner IS NULL OR lease_owner <> \(workerID))
                        ORDER BY available_at LIMIT 1) AS due
                FROM unnest(\(queues)) AS q
            ) AS dues
            """
        )
        return try rows.first?.decode(Int64?.self).map(Date.init(millisecondsSince1970:))
    }

    /// Locks the runs in id order before updating them, the order grouped commits lock theirs
    /// in: in the table's order the two could each hold a run the other waits for (a deadlock,
    /// which PostgreSQL ends by failing one of them).
    public func renewLeases(workerID: String, runIDs: [RunID], expiresAt: Date) async throws -> Set<RunID> {
        guard !runIDs.isEmpty else { return [] }
        let expires = expiresAt.millisecondsSince1970
        let rows = try await query(
            "lease renewal",
            """
            UPDATE run SET lease_expires_at = \(expires), available_at = \(expires)
            FROM (
                SELECT id FROM run WHERE lease_owner = \(workerID) AND id = ANY(\(runIDs.map(\.rawValue)))
                ORDER BY id FOR UPDATE
            ) AS held
            WHERE run.id = held.id
            RETURNING run.id
            """
        )
        return Set(try rows.map { RunID(try $0.decode(String.self)) })
    }

    /// Locks the runs in id order, as ``renewLeases(workerID:runIDs:expiresAt:)`` does.
    public func releaseLeases(workerID: String, now: Date) async throws {
        try await transaction("lease release") { [self] connection in
            try await connection.rows(Self.leaseReleaseStatement(workerID: workerID, now: now.millisecondsSince1970), logger: logger)
            try await Self.notifyWork(connection, logger: logger)
        }
    }

    /// Requeues the runs `workerID` holds. They are found in the index of leased runs (every
    /// worker's, a few each), there being no index by lease owner (migration v7).
    static func leaseReleaseStatement(workerID: String, now: Int64) -> PostgresQuery {
        """
        UPDATE run
        SET available_at = CASE WHEN run.status = 'waiting' AND run.wake_at IS NOT NULL THEN run.wake_at ELSE \(now) END,
            status = CASE WHEN run.status = 'running' THEN 'queued' ELSE run.status END,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)
        FROM (SELECT id FROM run WHERE lease_owner IS NOT NULL AND lease_owner = \(workerID) ORDER BY id FOR UPDATE) AS held
        WHERE run.id = held.id
        """
    }
}
