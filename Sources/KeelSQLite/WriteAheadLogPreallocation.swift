import Foundation
import GRDB

/// Gives a new write-ahead log its working size before the first run's commit, so that commits
/// overwrite blocks the file already has instead of appending to it.
///
/// With `synchronous=FULL` every commit ends in an `fdatasync` of the WAL. While the WAL grows,
/// that sync must also make the file's new size and blocks durable (on ext4, a journal commit
/// besides the data): measured on this project's machines, 200–290 µs per one-page commit, and
/// 115–130 µs once the log is reused after its first checkpoint. A store opened on a new file
/// (or after the last connection closed, which deletes the WAL) would pay the higher cost until
/// its first checkpoint. PostgreSQL avoids the same cost by writing its WAL segments in full
/// before it uses them; this does the same through SQLite itself: with a page cache too small
/// to hold it, a transaction writes ``frames(checkpointPages:)`` pages of filler, which SQLite
/// spills into the WAL, and is rolled back. Nothing is committed (the database file does not
/// grow), and the next transaction writes its frames from the log's beginning, over the
/// spilled ones.
///
/// It runs in a write transaction, under SQLite's own locks, so another process opening the
/// same file at the same time is safe.
enum WriteAheadLogPreallocation {
    /// Pages by which the log may pass the checkpoint's threshold: the commit that reaches it
    /// is written whole before the checkpoint runs.
    static let margin = 200

    /// The log's working size in pages for a checkpoint every `checkpointPages`
    /// (`PRAGMA wal_autocheckpoint`): after the checkpoint the log starts again from its beginning.
    ///
    /// SQLite's default is 1,000 pages; the store's is 4,000. The checkpoint runs inside the
    /// commit that fills the log, and syncs the database file, whose sync grows with the pages
    /// it copies: it made that commit 0.5–0.8 ms slower. Every 1,000 pages that was one run in
    /// 90 of a workload of one-step runs, so those commits were the slowest percent (B's p99
    /// 1.59–4.46 ms against 1.05–2.33 every 4,000 pages, better in 9 of 12 alternating pairs on
    /// 2026-12-08). Every 4,000 pages a checkpoint copies more pages at once, but fewer than four
    /// times as many (the same pages, the ends of the run table and its indexes, are written
    /// again and again between checkpoints), and one run in 360 pays it.
    static func frames(checkpointPages: Int) -> Int {
        checkpointPages + margin
    }

    /// Grows the WAL of the store at `path` to about ``frames(checkpointPages:)`` pages, unless
    /// it is that large.
    static func ensure(_ pool: DatabasePool, path: String, checkpointPages: Int) throws {
        let frames = frames(checkpointPages: checkpointPages)
        try pool.writeWithoutTransaction { db in
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
            guard logSize(path) < frames * (pageSize + 24) else { return }
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2_000
            try db.execute(sql: "PRAGMA cache_size = 16")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE keel_wal_preallocation (filler BLOB)")
                try db.execute(sql: "INSERT INTO keel_wal_preallocation VALUES (zeroblob(?))", arguments: [frames * pageSize])
                return .rollback
            }
        }
    }

    /// The WAL file's size in bytes, 0 when it does not exist.
    static func logSize(_ path: String) -> Int {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal")
        return (attributes?[.size] as? NSNumber)?.intValue ?? 0
    }
}
