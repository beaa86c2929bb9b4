import Foundation
import Keel
import KeelTesting
import Synchronization
import Testing

/// Serialized: the task's hooks log to one static list.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CompensationAndHookTests {
    /// Books a trip: flight, hotel, then a car that fails for good; undoes what was booked.
    struct BookTrip: TaskDefinition {
        static let name = "book-trip"
        static let retryPolicy = RetryPolicy(maximumAttempts: 1)
        static var hooks: TaskHooks<String, String> {
            TaskHooks(
                onSuccess: { _, input, output in Self.log.withLock { $0.append("onSuccess \(input) -> \(output)") } },
                onFailure: { _, input, error in Self.log.withLock { $0.append("onFailure \(input): \(error.message)") } }
            )
        }
        /// What the hooks saw, per test run (the test clears it).
        static let log = Mutex<[String]>([])
        let probe: Probe

        struct NoCars: NonRetryableError, CustomStringConvertible { var description: String { "no cars left" } }

        func run(input: String, context: TaskContext) async throws -> String {
            let flight = try await context.step("flight", compensate: { (booking: String) in probe.hit("cancel \(booking)") }) {
                probe.hit("flight")
                return "FL-1"
            }
            let hotel = try await context.step("hotel", compensate: { (booking: String) in probe.hit("cancel \(booking)") }) {
                probe.hit("hotel")
                return "HO-2"
            }
            if input == "with-car" {
                try await context.step("car") { () throws -> String in throw NoCars() }
            }
            return "\(flight)+\(hotel)"
        }
    }

    @Test(arguments: TestStore.allCases)
    func aFailedRunUndoesItsCompletedStepsInReverseOrder(store: TestStore) async throws {
        let probe = Probe()
        BookTrip.log.withLock { $0 = [] }
        try await withTestEngine(store: store, tasks: [BookTrip(probe: probe)]) { test in
            let run = try await test.trigger(BookTrip.self, input: "with-car")
            let error = try await #require(throws: RunFailedError.self) { try await run.result() }
            #expect(error.status == .failed)
            #expect(probe.count("cancel FL-1") == 1 && probe.count("cancel HO-2") == 1)
            let journal = try await test.engine.journal(run.id)
            #expect(journal.map(\.name) == ["flight", "hotel", "car", "compensate hotel", "compensate flight", "onFailure"])
            #expect(journal.map(\.kind).suffix(3) == [.stepCompleted, .stepCompleted, .stepCompleted])
            #expect(BookTrip.log.withLock { $0 } == ["onFailure with-car: step 'car' (position 2) failed after 1 attempt: no cars left"])
        }
    }

    @Test(arguments: TestStore.allCases)
    func compensationsAndHooksRunOnceAcrossARestart(store: TestStore) async throws {
        let probe = Probe()
        BookTrip.log.withLock { $0 = [] }
        try await withTestEngine(store: store, tasks: [BookTrip(probe: probe)]) { test in
            // A run that succeeds: the success hook runs once, no compensation runs.
            let ok = try await test.trigger(BookTrip.self, input: "no-car")
            #expect(try await ok.result() == "FL-1+HO-2")
            #expect(probe.count("cancel FL-1") == 0)
            #expect(try await test.engine.journal(ok.id).map(\.name).last == "onSuccess")
            // Replaying the finished journal on a new engine runs nothing again.
            try await test.restart()
            #expect(try await ok.result() == "FL-1+HO-2")
            #expect(BookTrip.log.withLock { $0 } == ["onSuccess no-car -> FL-1+HO-2"])
            #expect(probe.count("flight") == 1)
        }
    }

    @Test(arguments: TestStore.allCases)
    func globalHooksSeeEveryRun(store: TestStore) async throws {
        let seen = Mutex<[String]>([])
        var configuration = KeelEngine.Configuration()
        configuration.hooks = RunHooks(
            onSuccess: { run in seen.withLock { $0.append("ok \(run.taskName) \(String(decoding: run.output ?? Data(), as: UTF8.self))") } },
            onFailure: { run in seen.withLock { $0.append("failed \(run.taskName) \(run.error?.message ?? "")") } }
        )
        BookTrip.log.withLock { $0 = [] }
        try await withTestEngine(store: store, tasks: [BookTrip(probe: Probe())], configuration: configuration) { test in
            _ = try await test.trigger(BookTrip.self, input: "no-car").result()
            _ = try? await test.trigger(BookTrip.self, input: "with-car").result()
            #expect(seen.withLock { $0 } == [
                #"ok book-trip "FL-1+HO-2""#,
                "failed book-trip step 'car' (position 2) failed after 1 attempt: no cars left",
            ])
        }
    }
}
