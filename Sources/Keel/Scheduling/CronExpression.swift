public import Foundation

/// A standard five-field cron expression, evaluated in a time zone.
///
/// The fields are, in order, minute (0-59), hour (0-23), day-of-month (1-31), month (1-12 or
/// `JAN`-`DEC`) and day-of-week (0-7 or `SUN`-`SAT`, where both 0 and 7 are Sunday). Each field is
/// `*`, a value, a list (`1,2,3`), a range (`1-5`) or a step (`*/15`, `10-50/10`, and `5/15`, which
/// means `5-59/15`). Names are case-insensitive. The macros `@yearly`, `@annually`, `@monthly`,
/// `@weekly`, `@daily`, `@midnight` and `@hourly` stand for the usual expressions.
///
/// Days follow Vixie cron: when both day-of-month and day-of-week are restricted, a day matches if
/// **either** does (`0 0 13 * FRI` fires on every 13th and on every Friday). A day field that starts
/// with `*`, including a step such as `*/2`, counts as unrestricted, and then both must match.
///
/// ## Usage
///
/// ```swift
/// let weekdayMornings = try CronExpression("0 9 * * MON-FRI", timeZoneIdentifier: "Europe/Paris")
/// let next = weekdayMornings.nextDate(after: .now)   // the next weekday at 09:00 in Paris
/// ```
///
/// ## Daylight saving time
///
/// Times are wall-clock times in ``timeZone``:
/// - A time skipped when clocks spring forward does not fire that day: `30 2 * * *` in
///   America/New_York does not fire on 2026-03-08.
/// - A time repeated when clocks fall back fires once, at its first occurrence: `30 1 * * *` fires
///   at 01:30 EDT on 2026-11-01, not again at 01:30 EST. Expressions whose minute or hour field
///   starts with `*` (`*/15 * * * *`, `@hourly`) are intervals rather than fixed times; like Vixie
///   cron they keep firing by the clock through the repeated hour, so `@hourly` fires at 01:00 EDT
///   and again at 01:00 EST.
///
/// Instances encode as `{"expression": "0 9 * * MON-FRI", "timeZone": "Europe/Paris"}`.
public struct CronExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One of the five fields of an expression.
    public enum Field: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The minute of the hour, 0-59.
        case minute
        /// The hour of the day, 0-23.
        case hour
        /// The day of the month, 1-31.
        case dayOfMonth
        /// The month, 1-12 or `JAN`-`DEC`.
        case month
        /// The day of the week, 0-7 (0 and 7 are Sunday) or `SUN`-`SAT`.
        case dayOfWeek

        /// The field's name as messages spell it: `minute`, `hour`, `day-of-month`, `month`, `day-of-week`.
        public var description: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }
    }

    /// The expression: its fields separated by single spaces, or the macro as written.
    public let expression: String
    /// The time zone whose wall clock the expression is evaluated in.
    public let timeZone: TimeZone
    let fields: Fields

    /// How far ``nextDate(after:)`` looks ahead: ten years, past the longest gap between two
    /// February 29ths (eight years, across 2100).
    static let searchHorizon: TimeInterval = 10 * 366 * 86_400

    /// Parses a cron expression.
    ///
    /// - Parameters:
    ///   - expression: five fields (`minute hour day-of-month month day-of-week`) or a macro such as `@daily`.
    ///   - timeZone: the time zone whose wall clock the expression is evaluated in; GMT by default.
    /// - Throws: ``CronExpressionError`` naming the field, the token and what the field allows.
    public init(_ expression: String, timeZone: TimeZone = .gmt) throws(CronExpressionError) {
        let (text, fields) = try Self.parse(expression)
        self.expression = text
        self.timeZone = timeZone
        self.fields = fields
    }

    /// Parses a cron expression evaluated in the time zone with the given identifier.
    ///
    /// - Parameters:
    ///   - expression: five fields (`minute hour day-of-month month day-of-week`) or a macro such as `@daily`.
    ///   - timeZoneIdentifier: an identifier such as `Europe/Paris` or `America/New_York`.
    /// - Throws: ``CronExpressionError`` if the expression is invalid, or with code
    ///   ``CronExpressionError/Code/unknownTimeZone`` if the identifier is unknown.
    public init(_ expression: String, timeZoneIdentifier: String) throws(CronExpressionError) {
        let (text, fields) = try Self.parse(expression)
        guard let timeZone = TimeZone(identifier: timeZoneIdentifier) else {
            throw CronExpressionError(
                .unknownTimeZone,
                expression: expression,
                reason: "unknown time zone identifier \"\(timeZoneIdentifier)\""
            )
        }
        self.expression = text
        self.timeZone = timeZone
        self.fields = fields
    }

    /// The expression, such as `*/15 9-17 * * MON-FRI`.
    public var description: String { expression }

    /// The first minute strictly after `date` that the expression matches.
    ///
    /// The result is the start of that minute (zero seconds). Fields are matched against the wall
    /// clock of ``timeZone``; see the type's discussion for what happens around daylight saving
    /// time changes. The search skips whole months, days and hours that cannot match, so it is fast
    /// even for rare dates such as `0 0 29 2 *`.
    ///
    /// - Parameter date: the instant to search after, typically the previous firing or now.
    /// - Returns: the next matching instant, or `nil` if none falls within ten years, which happens
    ///   only for dates that never exist, such as `0 0 30 2 *`.
    public func nextDate(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let horizon = date.addingTimeInterval(Self.searchHorizon)
        var candidate = Date(timeIntervalSinceReferenceDate: ((date.timeIntervalSinceReferenceDate / 60).rounded(.down) + 1) * 60)
        var transition = timeZone.nextDaylightSavingTimeTransition(after: candidate)
        while candidate <= horizon {
            let now = WallClockTime(calendar.dateComponents([.year, .month, .day, .hour, .minute], from: candidate))
            if let target = firstPossibleTime(after: now) {
                // Move by the wall-clock distance, but stop at a change of UTC offset, where that
                // distance stops being the real one, and look again from there.
                if let next = transition, next <= candidate {
                    transition = timeZone.nextDaylightSavingTimeTransition(after: candidate)
                }
                candidate.addTimeInterval(TimeInterval(target.minuteNumber - now.minuteNumber) * 60)
                if let transition, transition < candidate {
                    candidate = Date(timeIntervalSinceReferenceDate: (transition.timeIntervalSinceReferenceDate / 60).rounded(.up) * 60)
                }
            } else if fields.isFixedTime && isRepeatedWallClockTime(candidate) {
                candidate.addTimeInterval(60)
            } else {
                return candidate
            }
        }
        return nil
    }

    /// The earliest wall-clock time after `now` that might match, or `nil` if `now` matches.
    ///
    /// Checks the fields from the largest: a month that does not match moves to the first matching
    /// month, a day to the next matching day, an hour to the next matching hour, a minute to the next
    /// matching minute. The result may spill over (hour 24, day 32); ``WallClockTime/minuteNumber``
    /// counts on regardless.
    private func firstPossibleTime(after now: WallClockTime) -> WallClockTime? {
        let firstHour = fields.hours.first(atLeast: 0) ?? 0
        let firstMinute = fields.minutes.first(atLeast: 0) ?? 0
        guard fields.months.contains(now.month) else {
            if let month = fields.months.first(atLeast: now.month + 1) {
                return WallClockTime(year: now.year, month: month, day: 1, hour: firstHour, minute: firstMinute)
            }
            let month = fields.months.first(atLeast: 1) ?? 1
            return WallClockTime(year: now.year + 1, month: month, day: 1, hour: firstHour, minute: firstMinute)
        }
        guard fields.matchesDay(now.day, weekday: now.weekday) else {
            let lastDay = WallClockTime.daysInMonth(year: now.year, month: now.month)
            var day = now.day + 1
            var weekday = (now.weekday + 1) % 7
            while day <= lastDay && !fields.matchesDay(day, weekday: weekday) {
                day += 1
                weekday = (weekday + 1) % 7
            }
            // Past the last day, this is the first of the next month.
            return WallClockTime(year: now.year, month: now.month, day: day, hour: firstHour, minute: firstMinute)
        }
        guard fields.hours.contains(now.hour) else {
            let hour = fields.hours.first(atLeast: now.hour + 1)
            return WallClockTime(year: now.year, month: now.month, day: now.day, hour: hour ?? 24, minute: firstMinute)
        }
        guard fields.minutes.contains(now.minute) else {
            let minute = fields.minutes.first(atLeast: now.minute + 1)
            return WallClockTime(year: now.year, month: now.month, day: now.day, hour: now.hour, minute: minute ?? 60)
        }
        return nil
    }

    /// Whether the wall-clock time at `date` already occurred earlier, because clocks fell back.
    ///
    /// If the UTC offset dropped by `shift` in the last day and `date − shift` still had the old
    /// offset, `date − shift` showed the same wall-clock time.
    private func isRepeatedWallClockTime(_ date: Date) -> Bool {
        let offset = timeZone.secondsFromGMT(for: date)
        let earlierOffset = timeZone.secondsFromGMT(for: date.addingTimeInterval(-26 * 3600))
        let shift = earlierOffset - offset
        guard shift > 0 else { return false }
        return timeZone.secondsFromGMT(for: date.addingTimeInterval(-TimeInterval(shift))) == earlierOffset
    }

    private enum CodingKeys: String, CodingKey {
        case expression
        case timeZone
    }

    /// Decodes `{"expression": "…", "timeZone": "Europe/Paris"}`; a missing time zone means GMT.
    /// - Throws: `DecodingError.dataCorrupted` carrying the ``CronExpressionError`` if the expression
    ///   or the time zone is invalid.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let expression = try container.decode(String.self, forKey: .expression)
        let identifier = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? TimeZone.gmt.identifier
        do {
            try self.init(expression, timeZoneIdentifier: identifier)
        } catch {
            let key: CodingKeys = error.code == .unknownTimeZone ? .timeZone : .expression
            throw DecodingError.dataCorrupted(
                .init(codingPath: container.codingPath + [key], debugDescription: error.description, underlyingError: error)
            )
        }
    }

    /// Encodes `{"expression": "…", "timeZone": "…"}` with the time zone's identifier.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(expression, forKey: .expression)
        try container.encode(timeZone.identifier, forKey: .timeZone)
    }
}

extension CronExpression {
    /// A wall-clock reading in the proleptic Gregorian calendar, with arithmetic that ignores time zones.
    struct WallClockTime: Hashable, Sendable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int

        init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
        }

        init(_ components: DateComponents) {
            self.init(
                year: components.year ?? 1970,
                month: components.month ?? 1,
                day: components.day ?? 1,
                hour: components.hour ?? 0,
                minute: components.minute ?? 0
            )
        }

        /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`); linear in `day`, so day 32 is
        /// the day after day 31.
        var dayNumber: Int {
            let shiftedYear = month <= 2 ? year - 1 : year
            let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
            let yearOfEra = shiftedYear - era * 400
            let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        /// Minutes since 1970-01-01 00:00 on this wall clock; linear in every field but `month`.
        var minuteNumber: Int { (dayNumber * 24 + hour) * 60 + minute }

        /// The day of the week, 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
        var weekday: Int { ((dayNumber + 4) % 7 + 7) % 7 }

        static func daysInMonth(year: Int, month: Int) -> Int {
            switch month {
            case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
    }
}
