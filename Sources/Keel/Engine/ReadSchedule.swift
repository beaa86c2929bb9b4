/// When the settlement poll reads each awaited run next: a timing wheel of 10 ms ticks.
///
/// Scheduling a read and taking the due ones cost the same however many runs are awaited (a
/// heap of 16,000 awaited runs was 6 % of a worker's CPU in the PostgreSQL Ac benchmark). A read
/// lands in the slot of its tick; the slots span 1.28 s, more than the poll's longest interval
/// plus its longest sleep, and a read scheduled further ahead is moved earlier to the last slot.
struct ReadSchedule {
    /// The wheel's resolution: reads due within one tick are taken together.
    static let tick = Duration.milliseconds(10)
    static let slotCount = 128

    private let origin: ContinuousClock.Instant
    private var slots: [[RunID]]
    /// The first tick whose slot has not been taken; every scheduled read is at this tick or later.
    private var cursor = 0

    init(startingAt origin: ContinuousClock.Instant) {
        self.origin = origin
        slots = Array(repeating: [], count: Self.slotCount)
    }

    /// The last tick beginning at `instant` or before (ticks before the wheel's start count as its first).
    func tick(atOrBefore instant: ContinuousClock.Instant) -> Int {
        let elapsed = (instant - origin).components
        guard elapsed.seconds >= 0 else { return 0 }
        return Int(elapsed.seconds) * 100 + Int(elapsed.attoseconds / Self.attosecondsPerTick)
    }

    /// The first tick beginning at `instant` or after.
    func tick(atOrAfter instant: ContinuousClock.Instant) -> Int {
        let before = tick(atOrBefore: instant)
        return time(of: before) < instant ? before + 1 : before
    }

    private static let attosecondsPerTick: Int64 = 10_000_000_000_000_000

    /// The time at which `tick` begins.
    func time(of tick: Int) -> ContinuousClock.Instant {
        origin + Self.tick * tick
    }

    /// Schedules a read of `id` at `tick`, or at the first tick not yet taken if that is later,
    /// or at the wheel's last slot if `tick` is beyond it.
    /// - Returns: the tick the read was scheduled at.
    mutating func schedule(_ id: RunID, at tick: Int) -> Int {
        let scheduled = min(max(tick, cursor), cursor + Self.slotCount - 1)
        slots[scheduled % Self.slotCount].append(id)
        return scheduled
    }

    /// Takes every read whose tick has begun at `now`, each with the tick it was scheduled at.
    mutating func takeDue(at now: ContinuousClock.Instant) -> [(id: RunID, tick: Int)] {
        let last = tick(atOrBefore: now)
        guard last >= cursor else { return [] }
        var due: [(id: RunID, tick: Int)] = []
        for tick in cursor...min(last, cursor + Self.slotCount - 1) where !slots[tick % Self.slotCount].isEmpty {
            for id in slots[tick % Self.slotCount] { due.append((id, tick)) }
            slots[tick % Self.slotCount].removeAll(keepingCapacity: true)
        }
        cursor = last + 1
        return due
    }

    /// The time of the earliest read scheduled, if any.
    var nextReadTime: ContinuousClock.Instant? {
        for tick in cursor..<(cursor + Self.slotCount) where !slots[tick % Self.slotCount].isEmpty {
            return time(of: tick)
        }
        return nil
    }
}
