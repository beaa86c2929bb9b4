/// Who may use the test PostgreSQL server: any number of tests at once, or one test alone.
///
/// A test that restarts the server drops every connection of the process, so it takes the
/// server for itself; the other PostgreSQL tests wait for it, and it waits for them. Tests
/// that arrive while it waits queue behind it, so it is not starved.
actor PostgresServerAccess {
    /// The one gate of the test process.
    static let shared = PostgresServerAccess()

    private var sharers = 0
    private var exclusive = false
    private var exclusiveWaiting = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Waits until the server may be used: shared, or, when `alone`, by this test only.
    func acquire(alone: Bool) async {
        if alone { await acquireExclusive() } else { await acquireShared() }
    }

    private func acquireShared() async {
        while exclusive || exclusiveWaiting > 0 { await wait() }
        sharers += 1
    }

    private func acquireExclusive() async {
        exclusiveWaiting += 1
        while exclusive || sharers > 0 { await wait() }
        exclusiveWaiting -= 1
        exclusive = true
    }

    /// Gives back what ``acquire(alone:)`` took.
    func release(alone: Bool) {
        if alone { exclusive = false } else { sharers -= 1 }
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }

    private func wait() async {
        await withCheckedContinuation { waiters.append($0) }
    }
}
