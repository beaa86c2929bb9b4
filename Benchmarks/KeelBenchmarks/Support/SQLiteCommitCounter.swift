import Foundation

/// Counts the write transactions committed to a SQLite database in WAL mode without touching the
/// store: SQLite's wal-index (the `-shm` file) starts with a header whose `iChange` field (a
/// native-endian `u32` at byte 8) is incremented by every commit, whichever connection makes it
/// (https://sqlite.org/walformat.html). Reads do not move it; a WAL reset after a checkpoint does
/// not reset it.
struct SQLiteCommitCounter: Sendable {
    /// The database file; the counter reads `<path>-shm`.
    let databasePath: String

    /// The current value of the counter, or `nil` if the wal-index cannot be read.
    func read() -> UInt32? {
        guard let handle = FileHandle(forReadingAtPath: databasePath + "-shm") else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 12), header.count == 12 else { return nil }
        return header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
    }
}
