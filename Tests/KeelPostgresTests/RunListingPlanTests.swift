import Foundation
import Keel
@testable import KeelPostgres
import KeelTesting
import Logging
import PostgresNIO
import Testing

/// Listings keep an index to read though a run's row has fewer index entries (migration v6): a
/// tag is found in the tags index, which holds only runs with tags, and a range of creation
/// times is a range of the primary key.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct RunListingPlanTests {
    @Test func aTagListingReadsTheTagsIndexAndACreationRangeReadsThePrimaryKey() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, configuration in
            // Given runs with and without tags
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            for index in 0..<20 {
                let created = t0.addingTimeInterval(Double(index))
                let run = NewRun(
                    id: RunID.make(at: created), taskName: "t", taskVersion: "v1", queue: "default", input: Data("1".utf8),
                    createdAt: created, availableAt: created, tags: index % 4 == 0 ? ["vip"] : []
                )
                _ = try await store.createRun(run, lease: nil)
            }
            // Then the untagged runs have no entry in the tags index
            // (indexes of this test's schema only: other tests create and drop theirs meanwhile)
            let indexed = try await store.query("index definition", "SELECT pg_get_indexdef('run_tags'::regclass)")
            #expect(try indexed.first?.decode(String.self).contains("WHERE (tags <> '{}'::text[])") == true)
            let createdAt = try await store.query("created_at index", "SELECT to_regclass('run_created_at') IS NULL")
            #expect(try createdAt.first?.decode(Bool.self) == true)
            // And a session that may not scan the table still plans each listing on an index
            var indexOnly = configuration
            indexOnly.options.additionalStartupParameters.append(("options", "-c enable_seqscan=off"))
            var logger = Logger(label: "keel.test.postgres")
            logger.logLevel = .warning
            try await PostgresTestDatabase.withRunningClient(indexOnly) { client in
                func plan(_ query: RunQuery) async throws -> String {
                    let statement = PostgresRunStore.listingStatement(query)
                    let rows = try await client.query(PostgresQuery(unsafeSQL: "EXPLAIN " + statement.sql, binds: statement.binds))
                    var lines: [String] = []
                    for try await line in rows.decode(String.self) { lines.append(line) }
                    return lines.joined(separator: "\n")
                }
                let byTag = try await plan(RunQuery(tag: "vip"))
                #expect(byTag.contains("on run_tags") && !byTag.contains("Seq Scan"), "\(byTag)")
                let byCreation = try await plan(RunQuery(createdFrom: t0.addingTimeInterval(5), createdTo: t0.addingTimeInterval(9)))
                #expect(byCreation.contains("using run_pkey") && byCreation.contains("Index Cond") && !byCreation.contains("Seq Scan"), "\(byCreation)")
                // And the listings' rows are those the filters select
                let reader = try await PostgresRunStore(client: client, logger: logger)
                #expect(try await reader.listRuns(RunQuery(tag: "vip")).count == 5)
                let range = try await reader.listRuns(RunQuery(createdFrom: t0.addingTimeInterval(5), createdTo: t0.addingTimeInterval(9)))
                #expect(range.map(\.createdAt) == (5..<9).reversed().map { t0.addingTimeInterval(Double($0)) })
            }
        }
    }
}
