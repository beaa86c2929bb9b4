import Synchronization

/// Reads run statuses for many callers at once: callers that ask while a read is in flight
/// are answered together by the next one, so a thousand callers of ``RunHandle/result()``
/// arriving together cost a few reads of many runs rather than a thousand reads of one.
///
/// A caller alone gets its own read straight away. A failed read fails every caller it answers.
final class StatusReader: Sendable {
    private typealias Request = (id: RunID, continuation: CheckedContinuation<RunStatus?, any Error>)

    private struct State {
        var pending: [Request] = []
        var isReading = false
    }

    private let state = Mutex(State())
    private let store: any RunStore

    init(store: any RunStore) {
        self.store = store
    }

    /// The status of run `id`, or `nil` when the store has no such run.
    func status(of id: RunID) async throws -> RunStatus? {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.pending.append((id, continuation))
                defer { state.isReading = true }
                return !state.isReading
            }
            if start { Task { await self.read() } }
        }
    }

    /// Answers pending requests, a batch per read, until none is left.
    private func read() async {
        while true {
            let batch = state.withLock { state -> [Request] in
                if state.pending.isEmpty { state.isReading = false }
                defer { state.pending.removeAll(keepingCapacity: true) }
                return state.pending
            }
            if batch.isEmpty { return }
            do {
                let statuses = try await store.statuses(of: Array(Set(batch.map(\.id))))
                for request in batch { request.continuation.resume(returning: statuses[request.id]) }
            } catch {
                for request in batch { request.continuation.resume(throwing: error) }
            }
        }
    }
}
