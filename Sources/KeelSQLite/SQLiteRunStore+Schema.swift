import GRDB

extension SQLiteRunStore {
    /// The schema, as versioned migrations. Each migration runs once, in order, on start.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs-and-journal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run (
                        id TEXT PRIMARY KEY NOT NULL,
                        task_name TEXT NOT NULL,
                        task_version TEXT NOT NULL,
                        queue TEXT NOT NULL,
                        status TEXT NOT NULL,
                        input BLOB NOT NULL,
                        output BLOB,
                        error TEXT,
                        attempt INTEGER NOT NULL DEFAULT 1,
                        created_at INTEGER NOT NULL,
                        started_at INTEGER,
                        finished_at INTEGER,
                        updated_at INTEGER NOT NULL,
                        wake_at INTEGER,
                        available_at INTEGER,
                        lease_owner TEXT,
                        lease_token INTEGER NOT NULL DEFAULT 0,
                        lease_expires_at INTEGER
                    );
                    -- Claims read this index only: available_at is set exactly while a run can become due
                    -- (its scheduled time, its wake time, or its lease expiry), so a claim costs O(log n)
                    -- however many runs are finished, parked or waiting for an event.
                    CREATE INDEX run_due ON run(queue, available_at) WHERE available_at IS NOT NULL;
                    CREATE INDEX run_lease_owner ON run(lease_owner) WHERE lease_owner IS NOT NULL;
                    CREATE INDEX run_task_name ON run(task_name, id);
                    CREATE INDEX run_status ON run(status, id);

                    CREATE TABLE journal_entry (
                        run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        sequence INTEGER NOT NULL,
                        position INTEGER,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        attempt INTEGER NOT NULL,
                        payload BLOB,
                        error TEXT,
                        started_at INTEGER,
                        wake_at INTEGER,
                        recorded_at INTEGER NOT NULL,
                        PRIMARY KEY (run_id, sequence)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-waitpoints-children-scheduling") { db in
            try db.execute(
                sql: """
                    ALTER TABLE run ADD COLUMN parent_id TEXT;
                    ALTER TABLE run ADD COLUMN parent_waitpoint_id TEXT;
                    ALTER TABLE run ADD COLUMN batch_index INTEGER;
                    ALTER TABLE run ADD COLUMN waiting_on TEXT;
                    ALTER TABLE run ADD COLUMN priority_ms INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE run ADD COLUMN concurrency_key TEXT;
                    ALTER TABLE run ADD COLUMN expires_at INTEGER;
                    ALTER TABLE run ADD COLUMN idempotency_key TEXT;
                    ALTER TABLE run ADD COLUMN idempotency_expires_at INTEGER;
                    ALTER TABLE run ADD COLUMN debounce_key TEXT;
                    ALTER TABLE run ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE run ADD COLUMN schedule_id TEXT;

                    -- Claim order: due runs by available_at moved earlier by their priority offset.
                    CREATE INDEX run_claim_order ON run(queue, available_at - priority_ms) WHERE available_at IS NOT NULL;
                    CREATE INDEX run_parent ON run(parent_id, batch_index) WHERE parent_id IS NOT NULL;
                    CREATE INDEX run_parent_waitpoint ON run(parent_waitpoint_id, batch_index) WHERE parent_waitpoint_id IS NOT NULL;
                    CREATE INDEX run_leased_by_queue ON run(queue, concurrency_key) WHERE lease_owner IS NOT NULL;
                    CREATE INDEX run_started_by_queue ON run(queue, started_at) WHERE started_at IS NOT NULL;
                    CREATE INDEX run_expiring ON run(expires_at) WHERE expires_at IS NOT NULL AND status = 'queued';
                    CREATE UNIQUE INDEX run_idempotency ON run(task_name, idempotency_key) WHERE idempotency_key IS NOT NULL;
                    CREATE INDEX run_debounce ON run(task_name, debounce_key) WHERE debounce_key IS NOT NULL AND status = 'queued';

                    CREATE TABLE waitpoint (
                        id TEXT PRIMARY KEY NOT NULL,
                        run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        event_name TEXT,
                        status TEXT NOT NULL,
                        payload BLOB,
                        pending_children INTEGER NOT NULL DEFAULT 0,
                        timeout_at INTEGER,
                        created_at INTEGER NOT NULL,
                        resolved_at INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX waitpoint_pending_event ON waitpoint(event_name) WHERE kind = 'event' AND status = 'pending';
                    CREATE INDEX waitpoint_run ON waitpoint(run_id);

                    CREATE TABLE schedule (
                        id TEXT PRIMARY KEY NOT NULL,
                        task_name TEXT NOT NULL,
                        cron TEXT NOT NULL,
                        time_zone TEXT NOT NULL,
                        input BLOB NOT NULL,
                        is_declared INTEGER NOT NULL,
                        next_fire_at INTEGER,
                        last_fire_at INTEGER,
                        last_run_id TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX schedule_due ON schedule(next_fire_at) WHERE next_fire_at IS NOT NULL;
                    """
            )
        }
        migrator.registerMigration("v3-run-logs-schedule-enabled") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_log (
                        run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                        sequence INTEGER NOT NULL,
                        level TEXT NOT NULL,
                        message TEXT NOT NULL,
                        metadata TEXT NOT NULL DEFAULT '{}',
                        logged_at INTEGER NOT NULL,
                        PRIMARY KEY (run_id, sequence)
                    ) WITHOUT ROWID;

                    ALTER TABLE schedule ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
                    CREATE INDEX run_idempotency_key ON run(idempotency_key) WHERE idempotency_key IS NOT NULL;
                    """
            )
        }
        // Every commit that starts or finishes a run writes a page of each index whose entry it
        // adds or removes, and each page makes the commit's sync longer (about 9 µs a page on
        // this project's disks). Two indexes served rare reads only: the lease owner's (a worker
        // releasing its leases as it stops, which now reads the index of leased runs, a few per
        // worker) and the started runs' (a rate-limited queue's count of starts, which now reads
        // `queue_start`: one row per start, written only on rate-limited queues and deleted once
        // older than their period). A run started at its trigger writes 7 pages instead of 9,
        // and its finish 6 instead of 7. As on PostgreSQL (its migration v7), no starts are
        // copied from before: a rate limit counts the starts from the upgrade on.
        migrator.registerMigration("v4-claim-writes-fewer-index-entries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE queue_start (
                        queue TEXT NOT NULL,
                        started_at INTEGER NOT NULL
                    );
                    CREATE INDEX queue_start_by_time ON queue_start(queue, started_at);
                    DROP INDEX run_started_by_queue;
                    DROP INDEX run_lease_owner;
                    """
            )
        }
        return migrator
    }
}
