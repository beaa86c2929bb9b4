public import Foundation
import GRDB
public import Keel

extension SQLiteRunStore {
    public func claimDueRuns(_ request: ClaimRequest) async throws -> [ClaimedRun] {
        guard !request.taskNames.isEmpty, !request.queues.isEmpty else { return [] }
        return try await write { db in
            try Self.expireOverdueRuns(now: request.now.millisecondsSince1970, db: db)
            guard request.limit > 0 else { return [] }
            var claimed: [ClaimedRun] = []
            for queue in request.queues where claimed.count < request.limit {
                var queueRequest = request
                queueRequest.limit = request.limit - claimed.count
                if queue.concurrencyLimit == nil, queue.concurrencyLimitPerKey == nil, queue.rateLimit == nil {
                    claimed += try Self.claimUnlimited(queue: queue.name, request: queueRequest, db: db)
                } else {
                    claimed += try Self.claimLimited(queue: queue, request: queueRequest, db: db)
                }
            }
            return claimed
        }
    }

    /// Claims from a queue without limits: the due runs, read in claim order, then each leased
    /// by its id.
    ///
    /// Not one `UPDATE … WHERE id IN (SELECT …) RETURNING …`, nor task names `IN (…)`: SQLite
    /// evaluates an `IN` subquery, an `IN` list of more than two constants and `RETURNING` each
    /// through a temporary b-tree, whose page cache (about 85 KB) it allocates and frees on every
    /// execution. Claims that take a run or two as slots free up paid that several times per run.
    private static func claimUnlimited(queue: String, request: ClaimRequest, db: Database) throws -> [ClaimedRun] {
        let now = request.now.millisecondsSince1970
        var arguments: StatementArguments = [queue, now, now, request.workerID]
        arguments += StatementArguments(request.taskNames)
        arguments += [request.limit]
        let due = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT \(runColumns) FROM run
                    WHERE queue = ? AND available_at IS NOT NULL AND available_at - priority_ms <= ? AND available_at <= ?
                      AND (lease_owner IS NULL OR lease_owner != ?)
                      AND \(taskNameCondition(count: request.taskNames.count))
                    ORDER BY available_at - priority_ms
                    LIMIT ?
                    """
            ),
            arguments: arguments
        )
        return try due.map { try lease(selected: $0, request: request, db: db) }
    }

    /// `task_name` is one of `count` bound names, compared one by one (see
    /// ``claimUnlimited(queue:request:db:)``; the claim order index is used either way).
    private static func taskNameCondition(count: Int) -> String {
        "(" + Array(repeating: "task_name = ?", count: count).joined(separator: " OR ") + ")"
    }

    /// Claims from a queue with a concurrency limit, a per-key limit or a rate limit: candidates
    /// in claim order, each taken only if every limit still allows one more.
    private static func claimLimited(queue: QueueDefinition, request: ClaimRequest, db: Database) throws -> [ClaimedRun] {
        let now = request.now.millisecondsSince1970
        var capacity = request.limit
        if let limit = queue.concurrencyLimit {
            // Live leases only, as in countLeased(queue:key:now:db:).
            let leased = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM run WHERE queue = ? AND lease_owner IS NOT NULL AND lease_expires_at > ?"),
                arguments: [queue.name, now]
            ) ?? 0
            capacity = min(capacity, limit - leased)
        }
        var freshStarts = Int.max
        if let rate = queue.rateLimit {
            freshStarts = rate.limit - (try recentStarts(queue: queue.name, since: now - rate.period.milliseconds, db: db))
        }
        guard capacity > 0 else { return [] }
        // Keys already at their limit are left out of the scan in SQL, so that one key's backlog
        // (a busy tenant) does not fill the bounded scan and starve the keys queued behind it.
        var saturatedKeys: [String] = []
        if let perKey = queue.concurrencyLimitPerKey {
            saturatedKeys = try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT concurrency_key FROM run
                        WHERE queue = ? AND concurrency_key IS NOT NULL AND lease_owner IS NOT NULL AND lease_expires_at > ?
                        GROUP BY concurrency_key HAVING COUNT(*) >= ?
                        """
                ),
                arguments: [queue.name, now, perKey]
            )
        }
        let saturated = RecordedJSONEncoder.array(of: saturatedKeys)
        let taskNames = Set(request.taskNames)
        var leasedByKey: [String: Int] = [:]
        var claimed: [ClaimedRun] = []
        var firstStarts = 0
        var offset = 0
        let pageSize = 256
        scanning: while claimed.count < capacity && offset < 4096 {
            let candidates = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, task_name, concurrency_key, started_at FROM run
                        WHERE queue = ? AND available_at IS NOT NULL AND available_at - priority_ms <= ? AND available_at <= ?
                          AND (lease_owner IS NULL OR lease_owner != ?)
                          AND (concurrency_key IS NULL OR concurrency_key NOT IN (SELECT value FROM json_each(?)))
                        ORDER BY available_at - priority_ms
                        LIMIT ? OFFSET ?
                        """
                ),
                arguments: [queue.name, now, now, request.workerID, saturated, pageSize, offset]
            )
            offset += candidates.count
            for candidate in candidates {
                guard taskNames.contains(candidate["task_name"]) else { continue }
                let isFresh = (candidate["started_at"] as Int64?) == nil
                if isFresh && freshStarts <= 0 { continue }
                let key: String? = candidate["concurrency_key"]
                if let key, let perKey = queue.concurrencyLimitPerKey {
                    let leased = try leasedByKey[key] ?? countLeased(queue: queue.name, key: key, now: now, db: db)
                    if leased >= perKey {
                        leasedByKey[key] = leased
                        continue
                    }
                    leasedByKey[key] = leased + 1
                }
                if let run = try lease(RunID(candidate["id"]), request: request, db: db) {
                    claimed.append(run)
                    if isFresh {
                        freshStarts -= 1
                        firstStarts += 1
                    }
                    // A claimed run leaves the candidate order, so the next page starts one earlier.
                    offset -= 1
                }
                if claimed.count == capacity { break scanning }
            }
            if candidates.count < pageSize { break }
        }
        if queue.rateLimit != nil {
            try recordStarts(count: firstStarts, queue: queue.name, now: now, db: db)
        }
        return claimed
    }

    /// How many runs of a rate-limited queue started after `since`, from `queue_start` (one row
    /// per start, recorded by ``recordStarts(count:queue:now:db:)``); older rows are deleted first.
    private static func recentStarts(queue: String, since: Int64, db: Database) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM queue_start WHERE queue = ? AND started_at <= ?").execute(arguments: [queue, since])
        return try Int.fetchOne(
            db.cachedStatement(sql: "SELECT COUNT(*) FROM queue_start WHERE queue = ? AND started_at > ?"),
            arguments: [queue, since]
        ) ?? 0
    }

    /// Records `count` runs started for the first time now on a rate-limited queue, in the claim's transaction.
    private static func recordStarts(count: Int, queue: String, now: Int64, db: Database) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO queue_start (queue, started_at) VALUES (?, ?)")
        for _ in 0..<count { try insert.execute(arguments: [queue, now]) }
    }

    /// Runs of `queue` with `key` under a live lease. A lapsed lease does not count: its worker
    /// died, and the run must be claimable again within the limit it occupied.
    private static func countLeased(queue: String, key: String, now: Int64, db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(
                sql: "SELECT COUNT(*) FROM run WHERE queue = ? AND concurrency_key = ? AND lease_owner IS NOT NULL AND lease_expires_at > ?"
            ),
            arguments: [queue, key, now]
        ) ?? 0
    }

    /// The claim's UPDATE of one run, by id.
    private static let leaseSQL = """
        UPDATE run
        SET status = 'running', lease_owner = ?, lease_token = lease_token + 1, lease_expires_at = ?,
            available_at = ?, started_at = COALESCE(started_at, ?), updated_at = ?, wake_at = NULL
        WHERE id = ?
        """

    /// Runs ``leaseSQL`` for the run with `id`.
    private static func executeLease(_ id: String, request: ClaimRequest, db: Database) throws {
        let now = request.now.millisecondsSince1970
        let expires = request.leaseExpiresAt.millisecondsSince1970
        var update = DirectExecution(try db.cachedStatement(sql: leaseSQL))
        update.bind(request.workerID)
        update.bind(expires)
        update.bind(expires)
        update.bind(now)
        update.bind(now)
        update.bind(id)
        try update.execute()
    }

    /// Leases the run with `id` and reads it back.
    private static func lease(_ id: RunID, request: ClaimRequest, db: Database) throws -> ClaimedRun? {
        try executeLease(id.rawValue, request: request, db: db)
        guard db.changesCount > 0 else { return nil }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(runColumns) FROM run WHERE id = ?"), arguments: [id.rawValue])
        return try row.map { try claimedRun(RunRecord(row: $0), token: $0[leaseTokenColumn], request: request) }
    }

    /// Leases the run read as `row` (``runColumns``) in this transaction, and returns it as the
    /// UPDATE left it, without reading it back.
    private static func lease(selected row: Row, request: ClaimRequest, db: Database) throws -> ClaimedRun {
        var record = try RunRecord(row: row)
        try executeLease(record.id.rawValue, request: request, db: db)
        let now = Date(millisecondsSince1970: request.now.millisecondsSince1970)
        record.status = .running
        record.leaseOwner = request.workerID
        record.leaseExpiresAt = Date(millisecondsSince1970: request.leaseExpiresAt.millisecondsSince1970)
        record.startedAt = record.startedAt ?? now
        record.updatedAt = now
        record.wakeAt = nil
        return claimedRun(record, token: (row[leaseTokenColumn] as Int64) + 1, request: request)
    }

    private static func claimedRun(_ record: RunRecord, token: Int64, request: ClaimRequest) -> ClaimedRun {
        let lease = Lease(runID: record.id, workerID: request.workerID, token: token, expiresAt: request.leaseExpiresAt)
        // Its first lease (created queued with token 0): no journal entry can exist yet, since
        // entries are written under a lease, and the store's own (cancelled, expired) end the run.
        return ClaimedRun(record: record, lease: lease, journal: token == 1 ? [] : nil)
    }

    /// Expires runs whose time to live passed before they started.
    ///
    /// Every claim asks this, so it must cost nothing when no run expires: `INDEXED BY` keeps
    /// SQLite on the partial index of expiring runs, where its planner otherwise picks the status
    /// index and scans every queued run (10,000 children of a batch, on each claim).
    static func expireOverdueRuns(now: Int64, db: Database) throws {
        let ids = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id FROM run INDEXED BY run_expiring
                    WHERE expires_at IS NOT NULL AND status = 'queued' AND expires_at <= ? AND started_at IS NULL LIMIT 1000
                    """
            ),
            arguments: [now]
        )
        for id in ids {
            let error = RecordedError(type: "Expired", message: "the run did not start before its time to live ran out", isRetryable: false)
            try finish(id, status: .expired, output: nil, error: error, finishedAt: now, db: db)
            try appendStoreEntry(to: RunID(id), kind: .runExpired, error: error, now: now, db: db)
        }
    }

    public func nextDueTime(queues: [String], workerID: String) async throws -> Date? {
        try await read { db in
            var earliest: Int64?
            for queue in queues {
                let due = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT available_at FROM run
                            WHERE queue = ? AND available_at IS NOT NULL AND (lease_owner IS NULL OR lease_owner != ?)
                            ORDER BY available_at LIMIT 1
                            """
                    ),
                    arguments: [queue, workerID]
                )
                if let due { earliest = min(earliest ?? due, due) }
            }
            return earliest.map(Date.init(millisecondsSince1970:))
        }
    }

    public func renewLeases(workerID: String, runIDs: [RunID], expiresAt: Date) async throws -> Set<RunID> {
        guard !runIDs.isEmpty else { return [] }
        return try await write { db in
            let expires = expiresAt.millisecondsSince1970
            let ids = RecordedJSONEncoder.array(of: runIDs.map(\.rawValue))
            let renewed = try String.fetchAll(
                db.cachedStatement(
                    sql: """
                        UPDATE run SET lease_expires_at = ?, available_at = ?
                        WHERE lease_owner = ? AND id IN (SELECT value FROM json_each(?))
                        RETURNING id
                        """
                ),
                arguments: [expires, expires, workerID, ids]
            )
            return Set(renewed.map { RunID($0) })
        }
    }

    public func releaseLeases(workerID: String, now: Date) async throws {
        try await write { db in
            let now = now.millisecondsSince1970
            try db.execute(sql: Self.leaseReleaseSQL, arguments: [now, now, workerID])
        }
    }

    /// Requeues the runs a worker holds (arguments: now, now, the worker's id). They are found in
    /// the index of leased runs (every worker's, a few each), there being no index by lease owner
    /// (migration v4).
    static let leaseReleaseSQL = """
        UPDATE run
        SET available_at = CASE WHEN status = 'waiting' AND wake_at IS NOT NULL THEN wake_at ELSE ? END,
            status = CASE WHEN status = 'running' THEN 'queued' ELSE status END,
            lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
        WHERE lease_owner IS NOT NULL AND lease_owner = ?
        """
}
