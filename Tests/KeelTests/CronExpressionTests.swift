import Foundation
import Testing

@testable import Keel

@Suite(.timeLimit(.minutes(2)))
struct CronExpressionTests {
    // MARK: Parsing

    @Test(arguments: [
        // 2026-01-01 is a Thursday.
        ("* * * * *", ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]),
        ("5,10,45 * * * *", ["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:05:00Z"]),
        ("10-12 * * * *", ["2026-01-01T00:10:00Z", "2026-01-01T00:11:00Z", "2026-01-01T00:12:00Z", "2026-01-01T01:10:00Z"]),
        ("*/15 * * * *", ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"]),
        ("10-50/20 * * * *", ["2026-01-01T00:10:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:50:00Z", "2026-01-01T01:10:00Z"]),
        ("50/5 * * * *", ["2026-01-01T00:50:00Z", "2026-01-01T00:55:00Z", "2026-01-01T01:50:00Z"]),
        ("0 */6 * * *", ["2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T18:00:00Z", "2026-01-02T00:00:00Z"]),
        ("0 0 1,15 */4 *", ["2026-01-15T00:00:00Z", "2026-05-01T00:00:00Z", "2026-05-15T00:00:00Z", "2026-09-01T00:00:00Z"]),
        ("0 0 1 jan,Jul *", ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"]),
        ("0 0 1 MAR-may *", ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z", "2027-03-01T00:00:00Z"]),
        ("0 12 * * sat,SUN", ["2026-01-03T12:00:00Z", "2026-01-04T12:00:00Z", "2026-01-10T12:00:00Z"]),
        ("0 12 * * 7", ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"]),
        ("0 12 * * 0", ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z"]),
        ("0 12 * * 5-7", ["2026-01-02T12:00:00Z", "2026-01-03T12:00:00Z", "2026-01-04T12:00:00Z", "2026-01-09T12:00:00Z"]),
        ("0 0 * * */3", ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-07T00:00:00Z", "2026-01-10T00:00:00Z"]),
        ("  0\t9 * *   1-5 ", ["2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z"]),
        ("@yearly", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
        ("@annually", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
        ("@monthly", ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
        ("@weekly", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
        ("@daily", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
        ("@midnight", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
        ("@hourly", ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
        ("@Daily", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
    ])
    func parsesEachSyntax(expression: String, expected: [String]) throws {
        let cron = try CronExpression(expression)
        #expect(upcoming(cron, after: "2026-01-01T00:00:00Z", count: expected.count) == expected)
    }

    @Test(arguments: [
        ("  0\t9 * *   1-5 ", "0 9 * * 1-5"),
        ("*/15 9-17 * * MON-FRI", "*/15 9-17 * * MON-FRI"),
        (" @hourly ", "@hourly"),
    ])
    func descriptionIsTheNormalizedExpression(expression: String, description: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.description == description)
        #expect(cron.expression == description)
    }

    @Test func sameScheduleWrittenDifferentlyParsesToTheSameFields() throws {
        #expect(try CronExpression("0 0 * * 7").fields == CronExpression("0 0 * * SUN").fields)
        #expect(try CronExpression("@daily").fields == CronExpression("0 0 * * *").fields)
        #expect(try CronExpression("0 0 1 1 *").fields == CronExpression("0 0 1 JAN *").fields)
        #expect(try CronExpression("0 0 * * 0-7").fields.daysOfWeek == CronExpression("0 0 * * *").fields.daysOfWeek)
    }

    // MARK: Errors

    @Test(arguments: [
        ("61 * * * *", CronExpressionError.Code.valueOutOfRange, CronExpression.Field?.some(.minute), "minute value 61 is out of range 0-59"),
        ("* 24 * * *", .valueOutOfRange, .hour, "hour value 24 is out of range 0-23"),
        ("* * 0 * *", .valueOutOfRange, .dayOfMonth, "day-of-month value 0 is out of range 1-31"),
        ("* * 1-32 * *", .valueOutOfRange, .dayOfMonth, "day-of-month value 32 is out of range 1-31"),
        ("* * * 13 *", .valueOutOfRange, .month, "month value 13 is out of range 1-12"),
        ("* * * * 8", .valueOutOfRange, .dayOfWeek, "day-of-week value 8 is out of range 0-7"),
        ("99999999999999999999 * * * *", .valueOutOfRange, .minute, "minute value 99999999999999999999 is out of range 0-59"),
        ("", .empty, nil, "the expression is empty"),
        (" \t ", .empty, nil, "the expression is empty"),
        ("* * * *", .wrongFieldCount, nil, "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 * * * * *", .wrongFieldCount, nil, "expected 5 fields (minute hour day-of-month month day-of-week), got 6"),
        (
            "@fortnightly", .unknownMacro, nil,
            "unknown macro \"@fortnightly\"; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"
        ),
        (
            "@reboot", .unknownMacro, nil,
            "unknown macro \"@reboot\"; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"
        ),
        (
            "@daily 5", .unknownMacro, nil,
            "unknown macro \"@daily 5\"; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"
        ),
        ("*/0 * * * *", .invalidStep, .minute, "minute step 0 in \"*/0\" is out of range 1-59"),
        ("*/60 * * * *", .invalidStep, .minute, "minute step 60 in \"*/60\" is out of range 1-59"),
        ("* * * 1-12/13 *", .invalidStep, .month, "month step 13 in \"1-12/13\" is out of range 1-12"),
        ("* */x * * *", .invalidStep, .hour, "hour step \"x\" in \"*/x\" is not a number"),
        ("*/ * * * *", .invalidStep, .minute, "minute step \"\" in \"*/\" is not a number"),
        ("5-1 * * * *", .reversedRange, .minute, "minute range \"5-1\" is reversed: 5 comes after 1"),
        ("* * * * FRI-MON", .reversedRange, .dayOfWeek, "day-of-week range \"FRI-MON\" is reversed: FRI comes after MON"),
        ("* * * FOO *", .invalidValue, .month, "month value \"FOO\" is not a number or a month name (JAN-DEC)"),
        ("* * * * MONDAY", .invalidValue, .dayOfWeek, "day-of-week value \"MONDAY\" is not a number or a weekday name (SUN-SAT)"),
        ("* * * * JAN", .invalidValue, .dayOfWeek, "day-of-week value \"JAN\" is not a number or a weekday name (SUN-SAT)"),
        ("x * * * *", .invalidValue, .minute, "minute value \"x\" is not a number"),
        ("* * L * *", .invalidValue, .dayOfMonth, "day-of-month value \"L\" is not a number"),
        ("1,,2 * * * *", .invalidValue, .minute, "minute field \"1,,2\" has an empty list item"),
        ("1-2-3 * * * *", .invalidValue, .minute, "minute item \"1-2-3\" is not a value, a range or a step"),
        ("-5 * * * *", .invalidValue, .minute, "minute item \"-5\" is not a value, a range or a step"),
        ("*/5/2 * * * *", .invalidValue, .minute, "minute item \"*/5/2\" has more than one \"/\""),
    ])
    func invalidExpressionIsRejectedWithAMessageNamingTheProblem(
        expression: String,
        code: CronExpressionError.Code,
        field: CronExpression.Field?,
        reason: String
    ) throws {
        let error = try #require(throws: CronExpressionError.self) { try CronExpression(expression) }
        #expect(error.code == code)
        #expect(error.field == field)
        #expect(error.reason == reason)
        #expect(error.expression == expression)
        #expect(error.description == "invalid cron expression \"\(expression)\": \(reason)")
    }

    @Test func outOfRangeMessageQuotesTheExpression() throws {
        let error = try #require(throws: CronExpressionError.self) { try CronExpression("61 * * * *") }
        #expect(error.description == #"invalid cron expression "61 * * * *": minute value 61 is out of range 0-59"#)
    }

    @Test func unknownTimeZoneIdentifierIsRejected() throws {
        let error = try #require(throws: CronExpressionError.self) {
            try CronExpression("0 9 * * *", timeZoneIdentifier: "Mars/Olympus_Mons")
        }
        #expect(error.code == .unknownTimeZone)
        #expect(error.field == nil)
        #expect(error.description == #"invalid cron expression "0 9 * * *": unknown time zone identifier "Mars/Olympus_Mons""#)
    }

    @Test func invalidExpressionIsReportedBeforeTheTimeZone() throws {
        let error = try #require(throws: CronExpressionError.self) {
            try CronExpression("61 * * * *", timeZoneIdentifier: "Mars/Olympus_Mons")
        }
        #expect(error.code == .valueOutOfRange)
    }

    @Test func knownTimeZoneIdentifierIsUsed() throws {
        let cron = try CronExpression("0 9 * * *", timeZoneIdentifier: "Europe/Paris")
        #expect(cron.timeZone.identifier == "Europe/Paris")
        #expect(try CronExpression("0 9 * * *").timeZone == .gmt)
    }

    // MARK: nextDate in UTC

    @Test(arguments: [
        ("2026-01-01T10:07:30Z", "2026-01-01T10:15:00Z"),
        ("2026-01-01T10:15:00Z", "2026-01-01T10:30:00Z"),  // strictly after
        ("2026-01-01T10:14:59.999Z", "2026-01-01T10:15:00Z"),
        ("2026-01-01T10:59:59.500Z", "2026-01-01T11:00:00Z"),
        ("2025-12-31T23:50:00Z", "2026-01-01T00:00:00Z"),
    ])
    func everyFifteenMinutes(after: String, expected: String) throws {
        let cron = try CronExpression("*/15 * * * *")
        #expect(try cron.nextDate(after: instant(after)).map(iso) == expected)
    }

    @Test func everyFifteenMinutesStaysFifteenMinutesApartForAYear() throws {
        let cron = try CronExpression("*/15 * * * *")
        var date = try instant("2026-01-01T00:00:00Z")
        for _ in 0..<(365 * 96) {
            let next = try #require(cron.nextDate(after: date))
            #expect(next.timeIntervalSince(date) == 900)
            date = next
        }
        #expect(iso(date) == "2027-01-01T00:00:00Z")
    }

    @Test func hourBoundaries() throws {
        let workHours = try CronExpression("0 9-17 * * MON-FRI")
        // Friday 17:00 → Monday 09:00
        #expect(
            upcoming(workHours, after: "2026-01-02T16:30:00Z", count: 3) == ["2026-01-02T17:00:00Z", "2026-01-05T09:00:00Z", "2026-01-05T10:00:00Z"])
        #expect(upcoming(workHours, after: "2026-01-05T08:59:59Z", count: 1) == ["2026-01-05T09:00:00Z"])
        let hourly = try CronExpression("@hourly")
        #expect(upcoming(hourly, after: "2026-12-31T23:00:00Z", count: 2) == ["2027-01-01T00:00:00Z", "2027-01-01T01:00:00Z"])
    }

    @Test func thirtyFirstSkipsShortMonths() throws {
        let cron = try CronExpression("0 0 31 * *")
        #expect(
            upcoming(cron, after: "2026-01-01T00:00:00Z", count: 8) == [
                "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z",
                "2026-08-31T00:00:00Z", "2026-10-31T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-31T00:00:00Z",
            ]
        )
        let thirtieth = try CronExpression("0 0 30 * *")
        #expect(upcoming(thirtieth, after: "2026-01-31T00:00:00Z", count: 2) == ["2026-03-30T00:00:00Z", "2026-04-30T00:00:00Z"])
    }

    @Test func leapDayIsFoundInTheNextLeapYear() throws {
        let cron = try CronExpression("0 0 29 2 *")
        #expect(upcoming(cron, after: "2026-01-01T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        // 2100 is not a leap year: eight years between two February 29ths.
        #expect(upcoming(cron, after: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
    }

    @Test func weekdayNames() throws {
        let cron = try CronExpression("30 12 * * mon,WED,Fri")
        // 2026-03-01 is a Sunday.
        #expect(
            upcoming(cron, after: "2026-03-01T00:00:00Z", count: 4) == [
                "2026-03-02T12:30:00Z", "2026-03-04T12:30:00Z", "2026-03-06T12:30:00Z", "2026-03-09T12:30:00Z",
            ]
        )
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // April 2026: Fridays are the 3rd, 10th, 17th and 24th; the 13th is a Monday.
        let either = try CronExpression("0 0 13 * FRI")
        #expect(
            upcoming(either, after: "2026-04-01T00:00:00Z", count: 6) == [
                "2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z",
                "2026-04-17T00:00:00Z", "2026-04-24T00:00:00Z", "2026-05-01T00:00:00Z",
            ]
        )
        let onlyDayOfMonth = try CronExpression("0 0 13 * *")
        #expect(upcoming(onlyDayOfMonth, after: "2026-04-01T00:00:00Z", count: 2) == ["2026-04-13T00:00:00Z", "2026-05-13T00:00:00Z"])
        let onlyFridays = try CronExpression("0 0 * * FRI")
        #expect(upcoming(onlyFridays, after: "2026-04-10T00:00:00Z", count: 2) == ["2026-04-17T00:00:00Z", "2026-04-24T00:00:00Z"])
    }

    @Test func dayFieldStartingWithStarRequiresBothDaysToMatch() throws {
        // Vixie cron: `*/2` counts as unrestricted, so odd days that are also Fridays.
        let cron = try CronExpression("0 0 */2 * FRI")
        #expect(
            upcoming(cron, after: "2026-04-01T00:00:00Z", count: 4) == [
                "2026-04-03T00:00:00Z", "2026-04-17T00:00:00Z", "2026-05-01T00:00:00Z", "2026-05-15T00:00:00Z",
            ]
        )
    }

    @Test(arguments: ["0 0 30 2 *", "0 0 31 2 *", "0 0 31 4,6,9,11 *", "* * 30,31 FEB *"])
    func impossibleDateReturnsNil(expression: String) throws {
        let cron = try CronExpression(expression)
        #expect(try cron.nextDate(after: instant("2026-01-01T00:00:00Z")) == nil)
    }

    // MARK: nextDate in other time zones

    @Test func nineInNewYorkIsFourteenOrThirteenUTCDependingOnDaylightSavingTime() throws {
        let cron = try CronExpression("0 9 * * *", timeZoneIdentifier: "America/New_York")
        #expect(upcoming(cron, after: "2026-01-15T00:00:00Z", count: 1) == ["2026-01-15T14:00:00Z"])
        #expect(upcoming(cron, after: "2026-07-15T00:00:00Z", count: 1) == ["2026-07-15T13:00:00Z"])
        // Clocks spring forward on 2026-03-08 at 02:00.
        #expect(
            upcoming(cron, after: "2026-03-06T00:00:00Z", count: 4) == [
                "2026-03-06T14:00:00Z", "2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z", "2026-03-09T13:00:00Z",
            ]
        )
    }

    @Test func midnightInKolkataIsTheEveningBeforeInUTC() throws {
        let cron = try CronExpression("@daily", timeZone: try #require(TimeZone(identifier: "Asia/Kolkata")))
        #expect(upcoming(cron, after: "2026-01-01T00:00:00Z", count: 2) == ["2026-01-01T18:30:00Z", "2026-01-02T18:30:00Z"])
    }

    @Test func timeSkippedBySpringForwardDoesNotFireThatDay() throws {
        // New York: 2026-03-08 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that day.
        let cron = try CronExpression("30 2 * * *", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(cron, after: "2026-03-06T12:00:00Z", count: 3) == [
                "2026-03-07T07:30:00Z",  // 02:30 EST
                "2026-03-09T06:30:00Z",  // 02:30 EDT; none on the 8th
                "2026-03-10T06:30:00Z",
            ]
        )
    }

    @Test func intervalRunsOnAcrossTheSpringForwardGap() throws {
        let cron = try CronExpression("*/30 * * * *", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(cron, after: "2026-03-08T06:00:00Z", count: 3) == [
                "2026-03-08T06:30:00Z",  // 01:30 EST
                "2026-03-08T07:00:00Z",  // 03:00 EDT
                "2026-03-08T07:30:00Z",
            ]
        )
    }

    @Test func timeRepeatedByFallBackFiresOnce() throws {
        // New York: 2026-11-01 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
        let cron = try CronExpression("30 1 * * *", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(cron, after: "2026-10-31T12:00:00Z", count: 3) == [
                "2026-11-01T05:30:00Z",  // 01:30 EDT
                "2026-11-02T06:30:00Z",  // 01:30 EST the next day; not 2026-11-01T06:30Z
                "2026-11-03T06:30:00Z",
            ]
        )
        // Asked from inside the repeated hour, the repeat is still skipped.
        #expect(upcoming(cron, after: "2026-11-01T06:00:00Z", count: 1) == ["2026-11-02T06:30:00Z"])
    }

    @Test func fixedTimesInTheRepeatedHourFireOnceEach() throws {
        let cron = try CronExpression("0,30 1 * * *", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(cron, after: "2026-11-01T04:00:00Z", count: 3) == [
                "2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:00:00Z",
            ]
        )
    }

    @Test func intervalsKeepFiringThroughTheRepeatedHour() throws {
        let hourly = try CronExpression("@hourly", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(hourly, after: "2026-11-01T04:30:00Z", count: 3) == [
                "2026-11-01T05:00:00Z",  // 01:00 EDT
                "2026-11-01T06:00:00Z",  // 01:00 EST
                "2026-11-01T07:00:00Z",  // 02:00 EST
            ]
        )
        let halfHourly = try CronExpression("*/30 * * * *", timeZoneIdentifier: "America/New_York")
        #expect(
            upcoming(halfHourly, after: "2026-11-01T05:00:00Z", count: 4) == [
                "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z",
            ]
        )
    }

    @Test func parisFallBackFiresOnce() throws {
        // Paris: 2026-10-25 03:00 CEST becomes 02:00 CET.
        let cron = try CronExpression("30 2 * * *", timeZoneIdentifier: "Europe/Paris")
        #expect(
            upcoming(cron, after: "2026-10-24T12:00:00Z", count: 2) == [
                "2026-10-25T00:30:00Z",  // 02:30 CEST
                "2026-10-26T01:30:00Z",  // 02:30 CET the next day
            ]
        )
    }

    /// Compares ``CronExpression/nextDate(after:)`` with a minute-by-minute search around
    /// daylight saving changes, including Lord Howe Island's half-hour shift.
    @Test(arguments: [
        ("America/New_York", "2026-03-07T12:00:00Z"),
        ("America/New_York", "2026-10-31T12:00:00Z"),
        ("Europe/Paris", "2026-03-28T12:00:00Z"),
        ("Europe/Paris", "2026-10-24T12:00:00Z"),
        ("Australia/Lord_Howe", "2026-04-04T00:00:00Z"),
        ("Australia/Lord_Howe", "2026-10-03T00:00:00Z"),
    ])
    func agreesWithAMinuteByMinuteSearchAcrossDaylightSavingChanges(zone: String, start: String) throws {
        let expressions = [
            "* * * * *", "*/7 * * * *", "15,45 * * * *", "0 * * * *", "30 1-3 * * *", "0,30 2 * * *",
            "45 1 * * *", "0 3 * * SUN", "*/20 2 * * *", "59 23 * * *", "0 0 * * *",
        ]
        let timeZone = try #require(TimeZone(identifier: zone))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let windowStart = try instant(start)
        let windowEnd = windowStart.addingTimeInterval(4 * 86_400)
        for expression in expressions {
            let cron = try CronExpression(expression, timeZone: timeZone)
            let firings = bruteForceFirings(cron, from: windowStart, to: windowEnd, calendar: calendar)
            #expect(!firings.isEmpty, "\(expression) in \(zone)")
            for offset in stride(from: 0.0, to: 3 * 86_400, by: 7 * 60 + 30) {
                let after = windowStart.addingTimeInterval(offset)
                guard let expected = firings.first(where: { $0 > after }) else { continue }
                #expect(cron.nextDate(after: after) == expected, "\(expression) in \(zone) after \(iso(after))")
            }
        }
    }

    // MARK: Codable and Hashable

    @Test func encodesAsExpressionAndTimeZoneIdentifier() throws {
        let cron = try CronExpression("0 9 * * MON-FRI", timeZoneIdentifier: "Europe/Paris")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(cron), as: UTF8.self)
        #expect(json == #"{"expression":"0 9 * * MON-FRI","timeZone":"Europe/Paris"}"#)
        let decoded = try JSONDecoder().decode(CronExpression.self, from: Data(json.utf8))
        #expect(decoded == cron)
        #expect(decoded.nextDate(after: try instant("2026-01-01T00:00:00Z")) == cron.nextDate(after: try instant("2026-01-01T00:00:00Z")))
    }

    @Test func decodingWithoutATimeZoneMeansGMT() throws {
        let decoded = try JSONDecoder().decode(CronExpression.self, from: Data(#"{"expression":"@daily"}"#.utf8))
        #expect(decoded == (try CronExpression("@daily")))
    }

    @Test(arguments: [
        (#"{"expression":"61 * * * *"}"#, #"invalid cron expression "61 * * * *": minute value 61 is out of range 0-59"#),
        (
            #"{"expression":"0 9 * * *","timeZone":"Nowhere/Special"}"#,
            #"invalid cron expression "0 9 * * *": unknown time zone identifier "Nowhere/Special""#
        ),
    ])
    func decodingAnInvalidScheduleFailsWithTheParseError(json: String, message: String) throws {
        let error = try #require(throws: DecodingError.self) {
            try JSONDecoder().decode(CronExpression.self, from: Data(json.utf8))
        }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("expected dataCorrupted, got \(error)")
            return
        }
        #expect(context.debugDescription == message)
        #expect((context.underlyingError as? CronExpressionError)?.description == message)
    }

    @Test func equalityComparesExpressionAndTimeZone() throws {
        #expect(try CronExpression("0 9 * * *") == CronExpression(" 0  9 * * * "))
        #expect(try CronExpression("0 9 * * *") != CronExpression("0 9 * * *", timeZoneIdentifier: "Europe/Paris"))
        #expect(try Set([CronExpression("@daily"), CronExpression("@daily"), CronExpression("@hourly")]).count == 2)
    }

    // MARK: Helpers

    private func instant(_ text: String) throws -> Date {
        try Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")).parse(text)
    }

    private func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// The next `count` firings after `start`, as ISO 8601 strings in UTC, for readable failures.
    private func upcoming(_ cron: CronExpression, after start: String, count: Int) -> [String] {
        guard var date = try? instant(start) else { return ["bad date \(start)"] }
        var result: [String] = []
        for _ in 0..<count {
            guard let next = cron.nextDate(after: date) else { break }
            result.append(iso(next))
            date = next
        }
        return result
    }

    /// Every minute from `start` to `end` whose wall clock matches, found minute by minute and
    /// skipping wall-clock times already seen (from three hours before `start`) when the expression
    /// names fixed times.
    private func bruteForceFirings(_ cron: CronExpression, from start: Date, to end: Date, calendar: Calendar) -> [Date] {
        let fields = cron.fields
        var seen: Set<DateComponents> = []
        var firings: [Date] = []
        var date = start.addingTimeInterval(-3 * 3600)
        while date <= end {
            let wall = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
            let matches =
                fields.minutes.contains(wall.minute!) && fields.hours.contains(wall.hour!) && fields.months.contains(wall.month!)
                && fields.matchesDay(wall.day!, weekday: wall.weekday! - 1)
            let isRepeat = !seen.insert(wall).inserted
            if date >= start && matches && !(fields.isFixedTime && isRepeat) { firings.append(date) }
            date.addTimeInterval(60)
        }
        return firings
    }
}
