import Synchronization

/// Calls each registered expiry when its deadline passes, from one task that runs only while
/// deadlines are registered (checking at least every ``granularity``).
///
/// One watchdog replaces a timer task per store operation: registering and forgetting a
/// deadline is a dictionary insert and removal under a lock.
final class DeadlineWatchdog: Sendable {
    /// Identifies a registered deadline, to forget it.
    struct Token: Hashable, Sendable {
        fileprivate let value: Int
    }

    /// The longest the watchdog sleeps between checks: how late an expiry may be called.
    static let granularity = Duration.milliseconds(100)

    private struct Watched {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var nextToken = 0
        var watched: [Token: Watched] = [:]
        var isRunning = false
    }

    private let state = Mutex(State())

    /// Registers `expire`, called once after `deadline` unless forgotten first.
    func watch(until deadline: ContinuousClock.Instant, expire: @escaping @Sendable () -> Void) -> Token {
        let (token, start) = state.withLock { state -> (Token, Bool) in
            let token = Token(value: state.nextToken)
            state.nextToken += 1
            state.watched[token] = Watched(deadline: deadline, expire: expire)
            defer { state.isRunning = true }
            return (token, !state.isRunning)
        }
        if start { Task.detached { await self.run() } }
        return token
    }

    /// Forgets a deadline: its expiry will not be called.
    func forget(_ token: Token) {
        _ = state.withLock { $0.watched.removeValue(forKey: token) }
    }

    private func run() async {
        while true {
            let now = ContinuousClock.now
            let (expired, earliest) = state.withLock { state -> ([Watched], ContinuousClock.Instant?) in
                var expired: [Watched] = []
                var earliest: ContinuousClock.Instant?
                for (token, watched) in state.watched {
                    if watched.deadline <= now {
                        expired.append(watched)
                        state.watched[token] = nil
                    } else {
                        earliest = min(earliest ?? watched.deadline, watched.deadline)
                    }
                }
                if earliest == nil { state.isRunning = false }
                return (expired, earliest)
            }
            for watched in expired { watched.expire() }
            guard let earliest else { return }
            try? await Task.sleep(until: min(earliest, now + Self.granularity), clock: .continuous)
        }
    }
}
