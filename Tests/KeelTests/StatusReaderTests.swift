import Foundation
@testable import Keel
import KeelTesting
import Testing

/// Callers of `result()` read their run's status through one `StatusReader`, batched with the
/// callers arriving at the same time: each must still get its own run's status.
@Suite(.timeLimit(.minutes(1)))
struct StatusReaderTests {
    @Test(arguments: TestStore.allCases)
    func manyCallersAtOnceEachGetTheirRunsStatusAndNilForAnUnknownRun(store: TestStore) async throws {
        try await store.withStore { store in
            // Given 60 runs, a third of them claimed (running)
            var expected: [RunID: RunStatus] = [:]
            for index in 0..<60 {
                let run = Fixture.newRun(created: Double(index))
                try await Fixture.create(run, in: store)
                expected[run.id] = .queued
            }
            for claimed in try await Fixture.claim(store, now: 100, limit: 20) { expected[claimed.record.id] = .running }
            let reader = StatusReader(store: store)
            // When every run is asked for three times at once, with runs that do not exist
            let unknown = (0..<10).map { RunID("no-such-run-\($0)") }
            let asked = Array(expected.keys) + Array(expected.keys) + Array(expected.keys) + unknown
            let answers = try await withThrowingTaskGroup(of: (RunID, RunStatus?).self) { group in
                for id in asked.shuffled() { group.addTask { (id, try await reader.status(of: id)) } }
                return try await group.reduce(into: [(RunID, RunStatus?)]()) { $0.append($1) }
            }
            // Then each caller got its own run's status, and nil for a run the store lacks
            #expect(answers.count == asked.count)
            for (id, status) in answers { #expect(status == expected[id], "run \(id)") }
            #expect(answers.filter { $0.1 == nil }.count == unknown.count)
        }
    }
}
