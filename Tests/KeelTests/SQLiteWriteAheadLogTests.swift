import Foundation
import GRDB
import Keel
import KeelSQLite
import Testing

/// A new store's write-ahead log is given its working size before any run's commit, so commits
/// overwrite the log's blocks instead of growing the file (a grow costs a durable commit about
/// twice as much; see `WriteAheadLogPreallocation`).
@Suite(.timeLimit(.minutes(1)))
struct SQLiteWriteAheadLogTests {
    static func walSize(_ store: SQLiteRunStore) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")
        return try #require((attributes[.size] as? NSNumber)?.intValue)
    }

    @Test
    func aNewStoresLogHasItsWorkingSizeAndCommitsDoNotGrowIt() async throws {
        let store = try SQLiteStoreFixture.temporary()
        let preallocated = try Self.walSize(store)
        // 1,000 frames of a 4 KiB page (and a 24-byte header each), none of them committed.
        #expect(preallocated >= 1_000 * 4_096)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect(try #require((attributes[.size] as? NSNumber)?.intValue) < 512 * 1_024, "the filler is rolled back, not committed")

        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<100 {
            let run = NewRun(
                id: RunID("run-\(index)"), taskName: "t", taskVersion: "1", queue: "default",
                input: Data("\(index)".utf8), createdAt: now, availableAt: now
            )
            _ = try await store.createRun(run, lease: nil)
        }
        #expect(try Self.walSize(store) == preallocated, "100 small commits must fit in the preallocated log")
        #expect(try await store.listRuns(RunQuery(limit: 1_000)).count == 100)
    }

    @Test
    func reopeningAStoreKeepsItsRunsAndLeavesNoFillerTable() async throws {
        let store = try SQLiteStoreFixture.temporary()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let run = NewRun(id: RunID("kept"), taskName: "t", taskVersion: "1", queue: "default", input: Data("1".utf8), createdAt: now, availableAt: now)
        _ = try await store.createRun(run, lease: nil)
        let reopened = try SQLiteRunStore(path: store.path)
        #expect(try await reopened.run(RunID("kept"))?.input == Data("1".utf8))
        let tables = try await DatabaseQueue(path: store.path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables.contains("run"))
        #expect(!tables.contains("keel_wal_preallocation"))
    }
}
