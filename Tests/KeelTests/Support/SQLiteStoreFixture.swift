import Foundation
import KeelSQLite
import KeelTesting

enum SQLiteStoreFixture {
    /// A store in a new temporary directory (left for the OS to clean), with the tests' smaller
    /// log (`SQLiteRunStore.Configuration.forTests`) unless `configuration` says otherwise.
    static func temporary(configuration: SQLiteRunStore.Configuration = .forTests) throws -> SQLiteRunStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-fixture-\(UUID().uuidString)")
        return try SQLiteRunStore(path: directory.appendingPathComponent("keel.sqlite").path, configuration: configuration)
    }
}
