import Foundation
import GRDB
@testable import KeelSQLite
import Synchronization
import Testing

/// Writes that arrive together are committed in one transaction, and a write that fails part-way
/// is undone alone: the others of its batch commit, and none of its own changes does.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteWriteBatchTests {
    struct Boom: Error {}

    @Test
    func aWriteThatFailsAfterChangingRowsIsUndoneAloneInItsBatch() async throws {
        let store = try SQLiteStoreFixture.temporary()
        try await store.write { db in try db.execute(sql: "CREATE TABLE probe (n INTEGER NOT NULL)") }
        let count = 20
        // Given a write that holds the writer until the other writes all wait behind it
        let holding = Atomic<Bool>(false)
        let holder = Task {
            try await store.write { db in
                holding.store(true, ordering: .sequentiallyConsistent)
                while store.writer.pendingWrites < count { Thread.sleep(forTimeInterval: 0.001) }
                try db.execute(sql: "INSERT INTO probe (n) VALUES (-1)")
            }
        }
        while !holding.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
        // When they are committed together, and one of them throws after inserting its row
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<count {
                group.addTask {
                    do {
                        try await store.write { db in
                            try db.execute(sql: "INSERT INTO probe (n) VALUES (?)", arguments: [n])
                            if n == 7 { throw Boom() }
                        }
                        return (n, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            var outcomes: [Int: Bool] = [:]
            for await (n, succeeded) in group { outcomes[n] = succeeded }
            return outcomes
        }
        try await holder.value
        // Then only that one failed, and its row is not there while every other one is
        #expect(outcomes.filter { !$0.value }.map(\.key) == [7])
        let rows = try await store.read { db in try Int.fetchAll(db, sql: "SELECT n FROM probe ORDER BY n") }
        #expect(rows == [-1] + (0..<count).filter { $0 != 7 })
    }
}
