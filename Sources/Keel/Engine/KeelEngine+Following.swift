import Foundation

/// What a follower of a run sees: its status changes and its journal entries, in order.
public enum RunUpdate: Sendable, Hashable {
    /// The run, first when following starts and again each time its status changes.
    case status(RunRecord)
    /// A journal entry, in sequence order: those already written, then new ones.
    case entry(JournalEntry)
    /// The run finished (or was parked); the stream ends after this.
    case finished(RunRecord)
}

extension KeelEngine {
    /// Follows a run: its status, then every journal entry and status change as they happen,
    /// until it finishes or is parked. Changes made in this process arrive at once; changes
    /// made by other processes on the same store within `pollInterval`. When the engine shuts
    /// down, the stream ends (without ``RunUpdate/finished(_:)``), so servers can close their
    /// connections.
    ///
    /// ```swift
    /// for try await update in engine.updates(of: run.id) {
    ///     if case .entry(let entry) = update { print(entry.kind, entry.name) }
    /// }
    /// ```
    /// - Throws: (from the stream) ``KeelError/Code/runNotFound``.
    public func updates(of id: RunID, pollInterval: Duration = .seconds(1)) -> AsyncThrowingStream<RunUpdate, any Error> {
        AsyncThrowingStream { continuation in
            let follower = Task {
                do {
                    try await self.follow(id, pollInterval: pollInterval) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in follower.cancel() }
        }
    }

    private func follow(_ id: RunID, pollInterval: Duration, yield: (RunUpdate) -> Void) async throws {
        var nextSequence = 0
        var lastStatus: RunStatus?
        while !Task.isCancelled && !draining.isOpen {
            let ticket = runChanges.arm(id)
            let record: RunRecord
            let entries: [JournalEntry]
            do {
                record = try await run(id)
                entries = try await store.journal(id, fromSequence: nextSequence)
            } catch {
                runChanges.disarm(ticket)
                throw error
            }
            if lastStatus == nil {
                yield(.status(record))
                lastStatus = record.status
            }
            for entry in entries {
                yield(.entry(entry))
                nextSequence = entry.sequence + 1
            }
            if record.status.isTerminal || record.status == .parked {
                runChanges.disarm(ticket)
                yield(.finished(record))
                return
            }
            if record.status != lastStatus {
                yield(.status(record))
                lastStatus = record.status
            }
            let draining = self.draining
            await runChanges.wait(ticket) {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await Task.sleep(for: pollInterval) }
                    group.addTask { await draining.wait() }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}
