import Foundation
import Keel
import Logging
import Testing

/// Values for the store conformance suites: fixed times, runs, claims and journal entries.
///
/// Every time is a whole second after ``t0`` so that both stores (which keep milliseconds)
/// round-trip it exactly.
enum Fixture {
    /// The fixed instant every test's clock starts at.
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let task = "conformance-task"
    static let otherTask = "conformance-other"
    static let queue = "default"
    static let lease: TimeInterval = 30

    /// `seconds` after ``t0``.
    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    static func json(_ text: String) -> Data { Data(text.utf8) }

    /// A run created at `created` (seconds after ``t0``), due at `available` (defaults to `created`).
    static func newRun(
        created: TimeInterval = 0, available: TimeInterval? = nil, task: String = Fixture.task, queue: String = Fixture.queue,
        input: String = #"{"n":1}"#, parentID: RunID? = nil, parentWaitpointID: String? = nil, batchIndex: Int? = nil,
        priority: Duration = .zero, concurrencyKey: String? = nil, expiresAt: Date? = nil, idempotencyKey: String? = nil,
        idempotencyKeyExpiresAt: Date? = nil, debounceKey: String? = nil, tags: [String] = [], scheduleID: String? = nil
    ) -> NewRun {
        NewRun(
            id: RunID.make(at: at(created)), taskName: task, taskVersion: "v1", queue: queue, input: json(input),
            createdAt: at(created), availableAt: at(available ?? created), parentID: parentID, parentWaitpointID: parentWaitpointID,
            batchIndex: batchIndex, priority: priority, concurrencyKey: concurrencyKey, expiresAt: expiresAt,
            idempotencyKey: idempotencyKey, idempotencyKeyExpiresAt: idempotencyKeyExpiresAt, debounceKey: debounceKey, tags: tags,
            scheduleID: scheduleID
        )
    }

    /// Creates `run` (not leased) and returns its record.
    @discardableResult
    static func create(_ run: NewRun, in store: any RunStore) async throws -> RunRecord {
        try await store.createRun(run, lease: nil).record
    }

    /// Claims for `worker` at `now` (seconds after ``t0``), leasing for ``lease`` seconds.
    static func claim(
        _ store: any RunStore, worker: String = "worker-a", now: TimeInterval = 0, limit: Int = 10,
        queues: [QueueDefinition] = [QueueDefinition(Fixture.queue)], tasks: [String] = [Fixture.task, Fixture.otherTask]
    ) async throws -> [ClaimedRun] {
        try await store.claimDueRuns(
            ClaimRequest(queues: queues, workerID: worker, taskNames: tasks, limit: limit, now: at(now), leaseExpiresAt: at(now + lease))
        )
    }

    /// Creates a run and claims it for `worker` at `now`; the run is the only due one.
    static func createAndClaim(_ store: any RunStore, worker: String = "worker-a", now: TimeInterval = 0) async throws -> ClaimedRun {
        try await create(newRun(created: now), in: store)
        let claimed = try await claim(store, worker: worker, now: now)
        return try #require(claimed.first)
    }

    /// A step result at `sequence` (and position), recorded at `recorded` seconds.
    static func step(_ runID: RunID, _ sequence: Int, name: String? = nil, recorded: TimeInterval = 0) -> JournalEntry {
        JournalEntry(
            runID: runID, sequence: sequence, position: sequence, kind: .stepCompleted, name: name ?? "step-\(sequence)",
            payload: json("\(sequence)"), startedAt: at(recorded), recordedAt: at(recorded)
        )
    }

    static let boom = RecordedError(type: "Conformance.Boom", message: "boom", isRetryable: false)

    static func log(_ runID: RunID, _ message: String, at seconds: TimeInterval = 0) -> RunLogLine {
        RunLogLine(runID: runID, level: .info, message: message, metadata: ["k": "v"], loggedAt: at(seconds))
    }
}
