import Foundation
import KeelSQLite

enum SQLiteStoreFixture {
    /// A store in a new temporary directory (left for the OS to clean), with a log of 1,000
    /// pages unless `configuration` says otherwise: the default log (4,000 pages, about 17 MB
    /// written when a store opens) made a hundred stores opening at once a disk-bound storm.
    static func temporary(configuration: SQLiteRunStore.Configuration = .init(checkpointPages: 1_000)) throws -> SQLiteRunStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-fixture-\(UUID().uuidString)")
        return try SQLiteRunStore(path: directory.appendingPathComponent("keel.sqlite").path, configuration: configuration)
    }
}
