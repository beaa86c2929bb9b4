import Foundation
import KeelSQLite

enum SQLiteStoreFixture {
    /// A store in a new temporary directory (left for the OS to clean).
    static func temporary() throws -> SQLiteRunStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-fixture-\(UUID().uuidString)")
        return try SQLiteRunStore(path: directory.appendingPathComponent("keel.sqlite").path)
    }
}
