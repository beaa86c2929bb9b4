import Keel
import Logging
import PostgresNIO

extension PostgresRunStore {
    /// Listens on the `keel_work` channel and calls `onWork` for each notification (a run
    /// triggered, a token completed, a child finished, a lease released), until cancelled. A lost
    /// connection is reopened with backoff; the engine polls meanwhile.
    ///
    /// The connection is lent to single statements meanwhile (see ``ConnectionLender``).
    public func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { [lender] connection in
                    // Idle between notifications: single statements may use it meanwhile.
                    try await lender.lend(connection) {
                        try await connection.listen(on: Self.workChannel) { notifications in
                            failures = 0
                            onWork()  // anything that happened while not listening
                            for try await _ in notifications { onWork() }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("listening for work failed; polling until it is back", metadata: ["error.message": .string("\(error)")])
            }
            let backoff = Duration.milliseconds(min(5_000, 100 << min(failures, 6)))
            try? await Task.sleep(for: backoff)
        }
    }
}
