import Foundation
import GRDB

/// Gives a new write-ahead log its working size before the first run's commit, so that commits
/// overwrite blocks the file already has instead of appending to it.
///
/// With `synchronous=FULL` every commit ends in an `fdatasync` of the WAL. While the WAL grows,
/// that sync must also make the file's new size and blocks durable (on ext4, a journal commit
/// besides the data): measured on this project's machines, 200–290 µs per one-page commit, and
/// 115–130 µs once the log is reused after its first checkpoint. A store opened on a new file
/// (or after the last connection closed, which deletes the WAL) would pay the higher cost for
/// its first thousand commits. PostgreSQL avoids the same cost by writing its WAL segments in
/// full before it uses them; this does the same through SQLite itself: with a page cache too
/// small to hold it, a transaction writes ``frames`` pages of filler, which SQLite spills into
/// the WAL, and is rolled back. Nothing is committed (the database file does not grow), and the
/// next transaction writes its frames from the log's beginning, over the spilled ones.
///
/// It runs in a write transaction, under SQLite's own locks, so another process opening the
/// same file at the same time is safe.
enum WriteAheadLogPreallocation {
    /// The log's working size in pages: SQLite's automatic checkpoint runs at 1,000 pages, after
    /// which the log starts again from its beginning.
    static let frames = 1_000

    /// Grows the WAL of the store at `path` to about ``frames`` pages, unless it is that large.
    static func ensure(_ pool: DatabasePool, path: String) throws {
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
