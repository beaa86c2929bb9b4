@testable import Keel
import Testing

/// The settlement poll reads an awaited run after its first interval, however long the poll
/// was idle before.
@Suite(.timeLimit(.minutes(1)))
struct SettlementPollerTests {
    @Test func aRunAwaitedAfterTheIdlePollOutlivedItsWheelIsNotReadAtOnce() async throws {
        let store = FaultyStore(try SQLiteStoreFixture.temporary())
        let poller = SettlementPoller(store: store, settlements: Notifier<RunID>())
        let id = RunID("awaited")
        // Given a poll idle for longer than its timing wheel spans
        try await Task.sleep(for: ReadSchedule.tick * (ReadSchedule.slotCount + 10))
        // When a run is awaited with a first read after 100 ms
        let watched = ContinuousClock.now
        poller.watch(id, firstReadAfter: .milliseconds(100))
        defer { poller.unwatch(id) }
        try await Task.sleep(for: .milliseconds(50))
        // Then it is not read before then (a loaded machine may overrun the sleep)
        let early = store.statusReads.count
        if ContinuousClock.now - watched < .milliseconds(100) {
            #expect(early == 0, "read \(early) times within 100 ms")
        }
        // And it is read after
        try await eventually("the first read") { store.statusReads == [id] }
    }
}
