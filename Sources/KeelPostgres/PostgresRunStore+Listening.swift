import Keel
import Logging
import PostgresNIO
import Synchronization

extension PostgresRunStore {
    /// Listens on the `keel_work` channel and calls `onWork` for each notification (a run
    /// triggered, a token completed, a child finished, a lease released), until cancelled. A lost
    /// connection is reopened with backoff; the engine polls meanwhile.
    ///
    /// The connection is lent to single statements meanwhile (see ``ConnectionLender``), and so
    /// are `statementConnections` more (see ``init(client:logger:operationTimeout:statementConnections:runsOnEventLoops:)``),
    /// held from the pool until cancelled: with the default two, the two grouped commits in
    /// flight and a claim skip the pool under load.
    public func listenForWork(_ onWork: @escaping @Sendable () -> Void) async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<statementConnections {
                group.addTask { await self.holdLentConnection() }
            }
            await listen(onWork)
            group.cancelAll()
        }
    }

    private func listen(_ onWork: @escaping @Sendable () -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { [lender] connection in
                    // Idle between notifications: single statements may use it meanwhile.
                    try await lender.lend(connection, preferred: true) {
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
            try? await Task.sleep(for: Self.backoff(afterFailures: failures))
        }
    }

    /// How long a request of this store may wait for a pooled connection before the held ones
    /// yield theirs (longer than opening a connection takes, so that it means a pool at its limit).
    static let poolPatience = Duration.milliseconds(500)
    /// How long a connection to hold may take to come from the pool; a request waits no longer.
    static let acquisitionPatience = Duration.seconds(1)
    /// How long a held connection stays away after yielding to a request that waited.
    static let yieldPause = Duration.seconds(10)

    /// Holds a connection from the pool and lends it to single statements until cancelled; a
    /// closed one is replaced (with backoff while the database cannot be reached).
    ///
    /// It does not keep the store's own requests waiting on the pool: a connection the pool does
    /// not grant within ``acquisitionPatience`` is not waited for, and a held one goes back to
    /// the pool when a request of the store has waited ``poolPatience`` (a small pool), for
    /// ``yieldPause``.
    private func holdLentConnection() async {
        var failures = 0
        while !Task.isCancelled {
            if poolPressure.isShort(patience: Self.poolPatience) {
                try? await Task.sleep(for: Self.yieldPause)
                continue
            }
            var pause = Self.backoff(afterFailures: failures)
            let hold = HoldOutcome()
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { [client, lender, poolPressure] in
                        try await client.withConnection { connection in
                            hold.granted.store(true, ordering: .relaxed)
                            await lender.lend(connection) {
                                // Checked ten times a second: a closed connection is skipped by loans at once.
                                while !Task.isCancelled, !connection.isClosed {
                                    if poolPressure.isShort(patience: Self.poolPatience) {
                                        hold.yielded.store(true, ordering: .relaxed)
                                        return
                                    }
                                    try? await Task.sleep(for: .milliseconds(100))
                                }
                            }
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: Self.acquisitionPatience)
                        if !hold.granted.load(ordering: .relaxed) { throw CancellationError() }
                    }
                    // The first to end: the timer (granted or not), else the holding itself.
                    try await group.next()
                    try await group.next()
                }
                failures = 0
            } catch {
                if Task.isCancelled { return }
                // Not granted in time (a pool at its limit), or the database is unreachable.
                failures += 1
                pause = max(Self.backoff(afterFailures: failures), Self.yieldPause)
            }
            if hold.yielded.load(ordering: .relaxed) { pause = Self.yieldPause }
            try? await Task.sleep(for: pause)
        }
    }

    private static func backoff(afterFailures failures: Int) -> Duration {
        .milliseconds(min(5_000, 100 << min(failures, 6)))
    }
}

/// What became of one attempt to hold a connection: whether the pool granted it (read by the
/// attempt's timer), and whether it went back early for a request that waited.
private final class HoldOutcome: Sendable {
    let granted = Atomic(false)
    let yielded = Atomic(false)
}
