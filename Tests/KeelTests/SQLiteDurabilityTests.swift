import Foundation
import KeelSQLite
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SQLiteDurabilityTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("keel-durability-\(UUID().uuidString)/keel.sqlite").path
    }

    /// GRDB turns the writer to synchronous=NORMAL when it enables WAL: the store must set its
    /// durability after that, or FULL is silently NORMAL.
    @Test
    func theWriterCommitsWithFullSynchronousByDefault() async throws {
        let store = try SQLiteRunStore(path: Self.path())
        #expect(try await store.writerSynchronousMode() == 2)
    }

    @Test
    func normalDurabilityIsNormal() async throws {
        let store = try SQLiteRunStore(path: Self.path(), configuration: .init(durability: .normal))
        #expect(try await store.writerSynchronousMode() == 1)
    }
}
