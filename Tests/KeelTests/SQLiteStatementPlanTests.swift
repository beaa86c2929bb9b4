import Foundation
import GRDB
import Keel
@testable import KeelSQLite
import KeelTesting
import Synchronization
import Testing

/// The statements runs' commits and claims execute use no temporary b-tree. SQLite allocates and
/// frees a page cache of about 85 KB for each one on every execution (an `IN` list of more than
/// two constants, an `IN` subquery, `RETURNING`); on the lease check and the finish alone that
/// cost about a tenth of a sequential run's CPU.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteStatementPlanTests {
    /// Three steps; returns their sum, 3 × input + 3.
    typealias ThreeSteps = StepCommitTests.ThreeSteps

    struct Parent: TaskDefinition {
        static let name = "plan-parent"

        func run(input: Int, context: TaskContext) async throws -> Int {
            let results = try await context.batchTriggerAndWait(ThreeSteps.self, inputs: Array(0..<input))
            return try results.reduce(0) { try $0 + $1.get() }
        }
    }

    /// Two more task names, so that the claim's filter on task names has more than two.
    struct Unused: TaskDefinition {
        static let name = "plan-unused"
        func run(input: Int, context: TaskContext) async throws -> Int { input }
    }

    struct OtherUnused: TaskDefinition {
        static let name = "plan-other-unused"
        func run(input: Int, context: TaskContext) async throws -> Int { input }
    }

    @Test
    func statementsOfRunsAndClaimsOpenNoTemporaryTable() async throws {
        let executed = Mutex<Set<String>>([])
        let traced = Mutex<SQLiteRunStore?>(nil)
        var configuration = KeelEngine.Configuration()
        configuration.concurrency = 2
        try await withTestEngine(
            store: .sqlite,
            tasks: [ThreeSteps(), Parent(), Unused(), OtherUnused()],
            configuration: configuration,
            wrappingStore: { base in
                traced.withLock { $0 = base as? SQLiteRunStore }
                return base
            }
        ) { test in
            let store = try #require(traced.withLock { $0 })
            try await store.pool.writeWithoutTransaction { db in
                db.trace(options: .statement) { event in
                    if case .statement(let statement) = event { executed.withLock { _ = $0.insert(statement.sql) } }
                }
            }
            // Given runs started at once, runs claimed from the queue, and a batch of children
            for index in 0..<3 { #expect(try await test.trigger(ThreeSteps.self, input: index).result() == 3 * index + 3) }
            let handles = try await (0..<12).asyncMap { try await test.trigger(ThreeSteps.self, input: $0) }
            for (index, handle) in handles.enumerated() { #expect(try await handle.result() == 3 * index + 3) }
            #expect(try await test.trigger(Parent.self, input: 5).result() == (0..<5).reduce(0) { $0 + 3 * $1 + 3 })
            // Then the writer executed none of its statements through a temporary b-tree
            let statements = executed.withLock { $0 }.filter { !$0.hasPrefix("PRAGMA") && !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") }
            #expect(statements.contains { $0.contains("lease_token = lease_token + 1") }, "no claim was traced")
            #expect(statements.contains { $0.contains("pending_children = pending_children - 1") }, "no child settled its batch")
            for sql in statements {
                let opcodes = try await store.pool.read { db in
                    let arguments = StatementArguments(Array(repeating: nil as String?, count: sql.count { $0 == "?" }))
                    return try Row.fetchAll(db, sql: "EXPLAIN \(sql)", arguments: arguments).map { $0["opcode"] as String }
                }
                #expect(!opcodes.contains("OpenEphemeral"), "a temporary b-tree in: \(sql)")
            }
        }
    }
}

extension Sequence where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
