import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// The hot statements run as prepared statements, kept per connection. They must survive what
/// a rolling deploy does: another version's migration adding a column to their tables, and a
/// NULL where the last call had a value.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct PreparedStatementTests {
    static let twoSteps = ClosureTask("test.prepared.two-steps") { (input: Int, context: TaskContext) -> Int in
        let first = try await context.step("first") { input + 1 }
        return try await context.step("second") { first * 2 }
    }

    /// Runs one run triggered at once (inserted leased to this worker) and one triggered with a
    /// delay (inserted queued, then claimed), and checks their outputs.
    static func runBoth(_ engine: KeelEngine, input: Int) async throws {
        let local = try await engine.trigger(Self.twoSteps, input: input)
        let claimed = try await engine.trigger(Self.twoSteps, input: input + 100, options: TriggerOptions(delay: .milliseconds(20)))
        #expect(try await local.result() == (input + 1) * 2)
        #expect(try await claimed.result() == (input + 101) * 2)
    }

    @Test func runsGoOnAfterAnotherVersionAddsColumnsToTheirTables() async throws {
        // Two connections, one of them listening: every statement after the migration meets the
        // prepared one.
        try await PostgresTestDatabase.withFreshSchema(maximumConnections: 2) { store, _ in
            let engine = try KeelEngine(store: store, tasks: [Self.twoSteps], logger: .keelTest)
            let service = Task { try await engine.run() }
            try await Self.runBoth(engine, input: 1)
            for table in ["run", "journal_entry"] {
                _ = try await store.query("a later version's migration", PostgresQuery(unsafeSQL: "ALTER TABLE \(table) ADD COLUMN added_later TEXT"))
            }
            for input in 2...4 { try await Self.runBoth(engine, input: input) }
            service.cancel()
            try await service.value
        }
    }

    @Test func aStatementPreparedWithAValueRunsWithANullAndBack() throws {
        var withValue = SQLParameters()
        _ = withValue.bind(Int64?(7))
        var withNull = SQLParameters()
        _ = withNull.bind(Int64?.none)
        let sql = "SELECT $1::bigint"
        // A NULL's type is left to the server: another statement, not a mismatched one.
        #expect(PreparedSQL(sql: sql, parameters: withValue).name != PreparedSQL(sql: sql, parameters: withNull).name)
        #expect(PreparedSQL(sql: sql, parameters: withValue).name == PreparedSQL(sql: sql, parameters: withValue).name)
        #expect(PreparedSQL(sql: sql, parameters: withValue).name.count <= 63)
    }
}
