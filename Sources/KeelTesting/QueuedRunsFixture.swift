public import Foundation
public import Keel

/// Runs of task `t` created directly in a store (due on named queues, or leased), and claims of
/// them at times counted from the first run's creation: what the stores' tests of claiming share.
public struct QueuedRunsFixture: Sendable {
    public let store: any RunStore
    /// When the first run was created.
    public let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Creates one due run per entry of `queues`, a millisecond apart, in that order.
    public init(store: any RunStore, queues: [String]) async throws {
        self.store = store
        for (index, queue) in queues.enumerated() {
            let created = start.addingTimeInterval(Double(index) / 1000)
            let run = NewRun(
                id: RunID.make(at: created), taskName: "t", taskVersion: "v1", queue: queue, input: Data("1".utf8),
                createdAt: created, availableAt: created
            )
            _ = try await store.createRun(run, lease: nil)
        }
    }

    /// Claims up to 10 runs of `queue` for worker `w`, `seconds` after the start.
    public func claim(_ queue: QueueDefinition, at seconds: TimeInterval) async throws -> [ClaimedRun] {
        let now = start.addingTimeInterval(seconds)
        return try await store.claimDueRuns(
            ClaimRequest(queues: [queue], workerID: "w", taskNames: ["t"], limit: 10, now: now, leaseExpiresAt: now.addingTimeInterval(30))
        )
    }

    /// Creates one run of task `t` on the default queue per entry of `owners`, started at
    /// `start` and leased to that owner for 30 s.
    public func createLeasedRuns(owners: [String]) async throws {
        for owner in owners {
            let run = NewRun(
                id: RunID.make(at: start), taskName: "t", taskVersion: "v1", queue: "default", input: Data("1".utf8),
                createdAt: start, availableAt: start
            )
            _ = try await store.createRun(run, lease: (owner, start.addingTimeInterval(30)))
        }
    }
}
