@testable import Keel
import Testing

/// The settlement poll's timing wheel hands each scheduled read back once, when its tick has
/// begun, whatever the pauses between takes.
struct ReadScheduleTests {
    let start = ContinuousClock.now
    func at(milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func aReadIsTakenOnceItsTickHasBegunAndNotBefore() {
        var schedule = ReadSchedule(startingAt: start)
        let tick = schedule.tick(atOrAfter: at(milliseconds: 25))
        #expect(schedule.schedule(RunID("a"), at: tick) == 3)
        #expect(schedule.nextReadTime == at(milliseconds: 30))

        #expect(schedule.takeDue(at: at(milliseconds: 29)).isEmpty)
        #expect(schedule.takeDue(at: at(milliseconds: 30)).map(\.id) == [RunID("a")])
        #expect(schedule.takeDue(at: at(milliseconds: 40)).isEmpty)
        #expect(schedule.nextReadTime == nil)
    }

    @Test func readsComeBackWithTheTickTheyWereScheduledAt() {
        var schedule = ReadSchedule(startingAt: start)
        _ = schedule.schedule(RunID("late"), at: 7)
        _ = schedule.schedule(RunID("early"), at: 2)
        _ = schedule.schedule(RunID("also-early"), at: 2)
        let due = schedule.takeDue(at: at(milliseconds: 75))
        #expect(due.map(\.id) == [RunID("early"), RunID("also-early"), RunID("late")])
        #expect(due.map(\.tick) == [2, 2, 7])
    }

    @Test func aReadScheduledInThePastIsDueAtTheNextTake() {
        var schedule = ReadSchedule(startingAt: start)
        _ = schedule.takeDue(at: at(milliseconds: 100))
        #expect(schedule.schedule(RunID("a"), at: 3) == 11)
        #expect(schedule.takeDue(at: at(milliseconds: 110)).map(\.id) == [RunID("a")])
    }

    @Test func aReadBeyondTheWheelIsMovedToItsLastSlot() {
        var schedule = ReadSchedule(startingAt: start)
        let last = ReadSchedule.slotCount - 1
        #expect(schedule.schedule(RunID("far"), at: 10_000) == last)
        #expect(schedule.takeDue(at: at(milliseconds: (last - 1) * 10)).isEmpty)
        #expect(schedule.takeDue(at: at(milliseconds: last * 10)).map(\.id) == [RunID("far")])
    }

    @Test func afterAPauseLongerThanTheWheelEveryReadIsTakenOnce() {
        var schedule = ReadSchedule(startingAt: start)
        for tick in 0..<ReadSchedule.slotCount { _ = schedule.schedule(RunID("run-\(tick)"), at: tick) }
        let due = schedule.takeDue(at: at(milliseconds: 60_000))
        #expect(due.count == ReadSchedule.slotCount)
        #expect(due.map(\.tick) == Array(0..<ReadSchedule.slotCount))
        #expect(schedule.takeDue(at: at(milliseconds: 120_000)).isEmpty)
        // And reads scheduled after the pause land after it
        #expect(schedule.schedule(RunID("next"), at: 0) == 12_001)
    }
}
