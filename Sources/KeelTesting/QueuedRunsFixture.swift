public import Foundation
public import Keel

/// Due runs of task `t` on named queues, created directly in a store, and claims of them at
/// times counted from the first run's creation: what the stores' tests of claiming share.
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
}
