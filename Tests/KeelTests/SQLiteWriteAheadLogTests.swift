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
    static func fileSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require((attributes[.size] as? NSNumber)?.intValue)
    }

    @Test
    func aNewStoresLogHasItsWorkingSizeAndCommitsDoNotGrowIt() async throws {
        let store = try SQLiteStoreFixture.temporary(configuration: .init())
        let preallocated = try Self.fileSize(store.path + "-wal")
        // 4,200 frames of a 4 KiB page (and a 24-byte header each), none of them committed.
        #expect(preallocated >= 4_200 * 4_096)
        #expect(try Self.fileSize(store.path) < 512 * 1_024, "the filler is rolled back, not committed")

        for index in 0..<100 {
            try await Fixture.create(Fixture.newRun(input: "\(index)"), in: store)
        }
        #expect(try Self.fileSize(store.path + "-wal") == preallocated, "100 small commits must fit in the preallocated log")
        #expect(try await store.listRuns(RunQuery(limit: 1_000)).count == 100)
    }

    @Test
    func reopeningAStoreKeepsItsRunsAndLeavesNoFillerTable() async throws {
        let store = try SQLiteStoreFixture.temporary(configuration: .init())
        let kept = try await Fixture.create(Fixture.newRun(input: "1"), in: store)
        let reopened = try SQLiteRunStore(path: store.path)
        #expect(try await reopened.run(kept.id)?.input == Data("1".utf8))
        let tables = try await DatabaseQueue(path: store.path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables.contains("run"))
        #expect(!tables.contains("keel_wal_preallocation"))
    }

    /// The log holds 4,000 pages before a commit copies them into the database file (SQLite's
    /// default, 1,000, put that copy and its sync in one run's commit in 90 of one-step runs),
    /// and after the copy it starts again from its beginning, within its preallocated size.
    @Test
    func theLogIsCopiedIntoTheDatabaseFileEveryFourThousandPages() async throws {
        let store = try SQLiteStoreFixture.temporary(configuration: .init())
        let preallocated = try Self.fileSize(store.path + "-wal")
        let databaseAtOpen = try Self.fileSize(store.path)
        // A queued run's creation writes its row and at least four index pages, and not 13: 300
        // of them are more than 1,000 pages and fewer than 4,000.
        for index in 0..<300 {
            try await Fixture.create(Fixture.newRun(input: "\(index)"), in: store)
        }
        #expect(try Self.fileSize(store.path) == databaseAtOpen, "no checkpoint before 4,000 pages")
        for index in 300..<1_200 {
            try await Fixture.create(Fixture.newRun(input: "\(index)"), in: store)
        }
        #expect(try Self.fileSize(store.path) > databaseAtOpen, "the runs were copied into the database file")
        #expect(try Self.fileSize(store.path + "-wal") == preallocated, "the log started again within its size")
        let stored = try await DatabaseQueue(path: store.path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") }
        #expect(stored == 1_200)
    }

    @Test
    func aLogOfFewerThanAHundredPagesIsRefusedByName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keel-wal-\(UUID().uuidString).sqlite").path
        let error = #expect(throws: KeelError.self) {
            try SQLiteRunStore(path: path, configuration: .init(checkpointPages: 10))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("checkpointPages") == true)
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is created for a refused configuration")
    }
}
