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
        return migrator
    }
}
