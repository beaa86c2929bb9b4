import Keel
import PostgresNIO

extension PostgresRunStore {
    /// The schema, as versioned migrations applied in order, each once, in one transaction under
    /// an advisory lock (so workers starting together migrate once). Times are milliseconds since
    /// 1970 (the engine's clock, as in the SQLite store); JSON values are kept as the bytes the
    /// engine wrote.
    static let migrations: [(name: String, sql: [String])] = [
        (
            "v1-runs-journal-waitpoints-schedules",
            [
                """
                CREATE TABLE run (
                    id TEXT PRIMARY KEY,
                    task_name TEXT NOT NULL,
                    task_version TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    status TEXT NOT NULL,
                    input BYTEA NOT NULL,
                    output BYTEA,
                    error TEXT,
                    attempt INTEGER NOT NULL DEFAULT 1,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT,
                    updated_at BIGINT NOT NULL,
                    wake_at BIGINT,
                    available_at BIGINT,
                    lease_owner TEXT,
                    lease_token BIGINT NOT NULL DEFAULT 0,
                    lease_expires_at BIGINT,
                    parent_id TEXT,
                    parent_waitpoint_id TEXT,
                    batch_index INTEGER,
                    waiting_on TEXT,
                    priority_ms BIGINT NOT NULL DEFAULT 0,
                    concurrency_key TEXT,
                    expires_at BIGINT,
                    idempotency_key TEXT,
                    idempotency_expires_at BIGINT,
                    debounce_key TEXT,
                    tags TEXT[] NOT NULL DEFAULT '{}',
                    schedule_id TEXT
                )
                """,
                // Claims read this index only: available_at is set exactly while a run can become
                // due (its start, its wake time, its lease expiry), ordered by the priority offset.
                "CREATE INDEX run_claim_order ON run (queue, (available_at - priority_ms)) WHERE available_at IS NOT NULL",
                "CREATE INDEX run_lease_owner ON run (lease_owner) WHERE lease_owner IS NOT NULL",
                "CREATE INDEX run_task_name ON run (task_name, id)",
                "CREATE INDEX run_status ON run (status, id)",
                "CREATE INDEX run_created_at ON run (created_at)",
                "CREATE INDEX run_tags ON run USING GIN (tags)",
                "CREATE INDEX run_parent ON run (parent_id, batch_index) WHERE parent_id IS NOT NULL",
                "CREATE INDEX run_parent_waitpoint ON run (parent_waitpoint_id, batch_index) WHERE parent_waitpoint_id IS NOT NULL",
                "CREATE INDEX run_leased_by_queue ON run (queue, concurrency_key) WHERE lease_owner IS NOT NULL",
                "CREATE INDEX run_started_by_queue ON run (queue, started_at) WHERE started_at IS NOT NULL",
                "CREATE INDEX run_expiring ON run (expires_at) WHERE expires_at IS NOT NULL AND status = 'queued'",
                "CREATE UNIQUE INDEX run_idempotency ON run (task_name, idempotency_key) WHERE idempotency_key IS NOT NULL",
                "CREATE INDEX run_debounce ON run (task_name, debounce_key) WHERE debounce_key IS NOT NULL AND status = 'queued'",
                """
                CREATE TABLE journal_entry (
                    run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    position INTEGER,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    payload BYTEA,
                    error TEXT,
                    started_at BIGINT,
                    wake_at BIGINT,
                    recorded_at BIGINT NOT NULL,
                    PRIMARY KEY (run_id, sequence)
                )
                """,
                """
                CREATE TABLE waitpoint (
                    id TEXT PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    event_name TEXT,
                    status TEXT NOT NULL,
                    payload BYTEA,
                    pending_children INTEGER NOT NULL DEFAULT 0,
                    timeout_at BIGINT,
                    created_at BIGINT NOT NULL,
                    resolved_at BIGINT
                )
                """,
                "CREATE INDEX waitpoint_pending_event ON waitpoint (event_name) WHERE kind = 'event' AND status = 'pending'",
                "CREATE INDEX waitpoint_run ON waitpoint (run_id)",
                """
                CREATE TABLE schedule (
                    id TEXT PRIMARY KEY,
                    task_name TEXT NOT NULL,
                    cron TEXT NOT NULL,
                    time_zone TEXT NOT NULL,
                    input BYTEA NOT NULL,
                    is_declared BOOLEAN NOT NULL,
                    next_fire_at BIGINT,
                    last_fire_at BIGINT,
                    last_run_id TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX schedule_due ON schedule (next_fire_at) WHERE next_fire_at IS NOT NULL",
            ]
        ),
        (
            "v2-run-logs-schedule-enabled",
            [
                """
                CREATE TABLE run_log (
                    run_id TEXT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    level TEXT NOT NULL,
                    message TEXT NOT NULL,
                    metadata TEXT NOT NULL DEFAULT '{}',
                    logged_at BIGINT NOT NULL,
                    PRIMARY KEY (run_id, sequence)
                )
                """,
                "ALTER TABLE schedule ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT TRUE",
                "CREATE INDEX run_idempotency_key ON run (idempotency_key) WHERE idempotency_key IS NOT NULL",
            ]
        ),
        (
            "v3-claim-function",
            [
                // A claim of due runs without limits: a function so that its plan may use
                // indexes only (see `claimStatement`).
                """
                CREATE FUNCTION keel_claim(
                    claimed_queue TEXT, claimed_at BIGINT, claimant TEXT, task_names TEXT[], how_many BIGINT, leased_until BIGINT,
                    unless_expiring BOOLEAN
                )
                RETURNS SETOF run
                LANGUAGE sql
                SET enable_seqscan = off
                SET enable_bitmapscan = off
                SET enable_sort = off
                AS $$
                    UPDATE run
                    SET status = 'running', lease_owner = claimant, lease_token = lease_token + 1, lease_expires_at = leased_until,
                        available_at = leased_until, started_at = COALESCE(started_at, claimed_at), updated_at = claimed_at, wake_at = NULL
                    WHERE id IN (
                        SELECT id FROM run
                        WHERE queue = claimed_queue AND available_at IS NOT NULL
                          AND available_at - priority_ms <= claimed_at AND available_at <= claimed_at
                          AND (lease_owner IS NULL OR lease_owner <> claimant)
                          AND task_name = ANY(task_names)
                          AND NOT (unless_expiring AND EXISTS (
                              SELECT 1 FROM run WHERE expires_at IS NOT NULL AND status = 'queued' AND expires_at <= claimed_at AND started_at IS NULL
                          ))
                        ORDER BY available_at - priority_ms
                        LIMIT how_many
                        FOR UPDATE SKIP LOCKED)
                    RETURNING *
                $$
                """
            ]
        ),
        (
            "v4-journal-without-foreign-key",
            [
                // A journal entry is only ever written for a run whose row the same statement
                // locks (its lease), so the foreign key's check on every write (a query and a row
                // lock per entry, measured: a third of a step's commit on the server) proved
                // nothing. Deleting a run still deletes its journal, by a trigger.
                "ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_run_id_fkey",
                """
                CREATE FUNCTION keel_delete_journal() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM journal_entry WHERE run_id = OLD.id;
                    RETURN OLD;
                END
                $$
                """,
                "CREATE TRIGGER run_deletes_its_journal AFTER DELETE ON run FOR EACH ROW EXECUTE FUNCTION keel_delete_journal()",
            ]
        ),
        (
            "v5-claim-function-planned-once",
            [
                // The same claim in PL/pgSQL: an SQL function's statement is parsed and planned
                // on every call (PostgreSQL before 18), a PL/pgSQL one once per session.
                """
                CREATE OR REPLACE FUNCTION keel_claim(
                    claimed_queue TEXT, claimed_at BIGINT, claimant TEXT, task_names TEXT[], how_many BIGINT, leased_until BIGINT,
                    unless_expiring BOOLEAN
                )
                RETURNS SETOF run
                LANGUAGE plpgsql
                SET enable_seqscan = off
                SET enable_bitmapscan = off
                SET enable_sort = off
                SET plan_cache_mode = force_generic_plan
                AS $$
                BEGIN
                    RETURN QUERY
                    UPDATE run
                    SET status = 'running', lease_owner = claimant, lease_token = run.lease_token + 1, lease_expires_at = leased_until,
                        available_at = leased_until, started_at = COALESCE(run.started_at, claimed_at), updated_at = claimed_at, wake_at = NULL
                    WHERE run.id IN (
                        SELECT due.id FROM run AS due
                        WHERE due.queue = claimed_queue AND due.available_at IS NOT NULL
                          AND due.available_at - due.priority_ms <= claimed_at AND due.available_at <= claimed_at
                          AND (due.lease_owner IS NULL OR due.lease_owner <> claimant)
                          AND due.task_name = ANY(task_names)
                          AND NOT (unless_expiring AND EXISTS (
                              SELECT 1 FROM run AS expiring
                              WHERE expiring.expires_at IS NOT NULL AND expiring.status = 'queued' AND expiring.expires_at <= claimed_at
                                AND expiring.started_at IS NULL
                          ))
                        ORDER BY due.available_at - due.priority_ms
                        LIMIT how_many
                        FOR UPDATE SKIP LOCKED)
                    RETURNING run.*;
                END
                $$
                """
            ]
        ),
        (
            "v6-fewer-index-entries-per-run",
            [
                // Every version of a run's row (its trigger, claim and finish: three per run) gets
                // an entry in every index whose columns it has. Runs without tags no longer get
                // one in the tags index (a GIN index: an entry in its pending list and a rewrite
                // of its meta page, 12 % of the WAL in Ac, measured), and the created_at index is
                // gone: listings order by id, a time-ordered UUID of the creation time, and a
                // range of creation times is a range of ids (see `listRuns`).
                "DROP INDEX run_tags",
                "CREATE INDEX run_tags ON run USING GIN (tags) WHERE tags <> '{}'",
                "DROP INDEX run_created_at",
            ]
        ),
        (
            "v7-claim-writes-fewer-index-entries",
            [
                // A claim (and a finish) writes a new version of the run's row, with an entry in
                // every index over its columns. Two indexes served rare reads only: the lease
                // owner's (a worker releasing its leases as it stops, which now reads the index of
                // leased runs, a few per worker) and the started runs' (a rate-limited queue's
                // count of starts, which now reads `queue_start`: one row per start, written only
                // on rate-limited queues and deleted once older than their period). Measured in
                // Ac: 3 index entries fewer per run, 7 % less server CPU.
                """
                CREATE TABLE queue_start (
                    queue TEXT NOT NULL,
                    started_at BIGINT NOT NULL
                )
                """,
                // No starts are copied from before: the store does not know which queues are
                // rate-limited (the workers' configuration), and copies for the others would
                // never be deleted. A rate limit counts the starts from the upgrade on.
                "CREATE INDEX queue_start_by_time ON queue_start (queue, started_at)",
                "DROP INDEX run_started_by_queue",
                "DROP INDEX run_lease_owner",
            ]
        ),
    ]

    /// An arbitrary constant: the advisory lock migrations take.
    static let migrationLockKey = 7_401_120_601

    /// Applies the migrations this database lacks.
    func migrate() async throws {
        try await transaction("migration", timeout: .seconds(600)) { [self] connection in
            try await connection.rows("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: logger)
            try await connection.rows(
                "CREATE TABLE IF NOT EXISTS keel_schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger
            )
            var applied = Set<String>()
            for row in try await connection.rows("SELECT name FROM keel_schema_migration", logger: logger) {
                applied.insert(try row.decode(String.self))
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.sql {
                    try await connection.rows(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.rows("INSERT INTO keel_schema_migration (name) VALUES (\(migration.name))", logger: logger)
                logger.info("migrated the Keel schema", metadata: ["keel.migration": .string(migration.name)])
            }
        }
    }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await query("read of migrations", "SELECT name FROM keel_schema_migration ORDER BY applied_at, name").map { try $0.decode(String.self) }
    }
}
