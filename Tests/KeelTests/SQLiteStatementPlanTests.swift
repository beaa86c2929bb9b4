import Foundation
import GRDB
import KeelSQLite
import Testing

/// The statements every run's commits execute use no temporary b-tree: SQLite allocates and
/// frees a page cache of about 85 KB for each one, on every execution (an `IN` list of more than
/// two constants, or `RETURNING`), which cost about a tenth of a sequential run's CPU.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteStatementPlanTests {
    @Test
    func leaseFencedStatementsOpenNoTemporaryTable() async throws {
        let store = try SQLiteStoreFixture.temporary()
        let database = try DatabaseQueue(path: store.path)
        for sql in SQLiteRunStore.leaseFencedStatements {
            let opcodes = try await database.read { db in
                let arguments = StatementArguments(Array(repeating: nil as String?, count: sql.count { $0 == "?" }))
                return try Row.fetchAll(db, sql: "EXPLAIN \(sql)", arguments: arguments).map { $0["opcode"] as String }
            }
            #expect(!opcodes.isEmpty, "EXPLAIN returned no program for \(sql)")
            #expect(!opcodes.contains("OpenEphemeral"), "a temporary b-tree in: \(sql)")
        }
    }
}
