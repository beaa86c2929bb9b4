extension CronExpression {
    /// The parsed form of the five fields: the values each allows and the flags that decide matching.
    struct Fields: Hashable, Sendable {
        var minutes: ValueSet
        var hours: ValueSet
        var daysOfMonth: ValueSet
        var months: ValueSet
        /// Days of the week, 0 = Sunday … 6 = Saturday (a written 7 is stored as 0).
        var daysOfWeek: ValueSet
        /// The day-of-month field starts with `*`: Vixie cron then requires both day fields to match.
        var isDayOfMonthWildcard: Bool
        /// The day-of-week field starts with `*`: Vixie cron then requires both day fields to match.
        var isDayOfWeekWildcard: Bool
        /// Neither the minute nor the hour field starts with `*`: the expression names fixed wall-clock
        /// times, which fire once when a fall-back repeats them.
        var isFixedTime: Bool

        /// Whether a day matches, with Vixie cron's rule: when both day fields are restricted
        /// (neither starts with `*`), either may match; otherwise both must.
        func matchesDay(_ day: Int, weekday: Int) -> Bool {
            let dayOfMonthMatches = daysOfMonth.contains(day)
            let dayOfWeekMatches = daysOfWeek.contains(weekday)
            if isDayOfMonthWildcard || isDayOfWeekWildcard { return dayOfMonthMatches && dayOfWeekMatches }
            return dayOfMonthMatches || dayOfWeekMatches
        }
    }

    /// A set of small non-negative integers (0…63) as a bit mask.
    struct ValueSet: Hashable, Sendable {
        var bits: UInt64 = 0

        func contains(_ value: Int) -> Bool { (0..<64).contains(value) && bits & (1 << UInt64(value)) != 0 }

        mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }

        /// The smallest member that is at least `value`, if any.
        func first(atLeast value: Int) -> Int? {
            guard value < 64 else { return nil }
            let remaining = bits & (~0 << UInt64(max(0, value)))
            return remaining == 0 ? nil : remaining.trailingZeroBitCount
        }
    }

    /// The macros and the expressions they stand for.
    static let macros: [(name: String, expansion: String)] = [
        ("@yearly", "0 0 1 1 *"),
        ("@annually", "0 0 1 1 *"),
        ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"),
        ("@daily", "0 0 * * *"),
        ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
    ]

    /// Parses `expression` into its normalized text (fields separated by single spaces, or the
    /// macro as written) and its fields.
    static func parse(_ expression: String) throws(CronExpressionError) -> (text: String, fields: Fields) {
        let words = expression.split(whereSeparator: \.isWhitespace)
        guard let first = words.first else {
            throw CronExpressionError(.empty, expression: expression, reason: "the expression is empty")
        }
        if first.hasPrefix("@") {
            let macro = words.joined(separator: " ")
            guard words.count == 1, let expansion = macros.first(where: { $0.name == macro.lowercased() })?.expansion else {
                let known = macros.map(\.name).joined(separator: ", ")
                throw CronExpressionError(.unknownMacro, expression: expression, reason: "unknown macro \"\(macro)\"; expected one of \(known)")
            }
            return (macro, try parseFields(expansion.split(separator: " "), expression: expression))
        }
        return (words.joined(separator: " "), try parseFields(words, expression: expression))
    }

    private static func parseFields(_ words: [Substring], expression: String) throws(CronExpressionError) -> Fields {
        guard words.count == 5 else {
            let names = Field.allCases.map(\.description).joined(separator: " ")
            throw CronExpressionError(
                .wrongFieldCount,
                expression: expression,
                reason: "expected 5 fields (\(names)), got \(words.count)"
            )
        }
        let minute = FieldParser(field: .minute, text: words[0], expression: expression)
        let hour = FieldParser(field: .hour, text: words[1], expression: expression)
        let dayOfMonth = FieldParser(field: .dayOfMonth, text: words[2], expression: expression)
        let month = FieldParser(field: .month, text: words[3], expression: expression)
        let dayOfWeek = FieldParser(field: .dayOfWeek, text: words[4], expression: expression)
        return Fields(
            minutes: try minute.parse(),
            hours: try hour.parse(),
            daysOfMonth: try dayOfMonth.parse(),
            months: try month.parse(),
            daysOfWeek: try dayOfWeek.parse(),
            isDayOfMonthWildcard: dayOfMonth.isWildcard,
            isDayOfWeekWildcard: dayOfWeek.isWildcard,
            isFixedTime: !minute.isWildcard && !hour.isWildcard
        )
    }
}

extension CronExpression.Field {
    /// The values the field allows; day-of-week allows 7 as a second Sunday.
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The names the field accepts, upper-cased, with their values.
    var names: [String: Int] {
        switch self {
        case .month:
            ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
        case .dayOfWeek:
            ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
        case .minute, .hour, .dayOfMonth:
            [:]
        }
    }

    /// How the names are described in messages, such as ` or a month name (JAN-DEC)`.
    var namesHint: String {
        switch self {
        case .month: " or a month name (JAN-DEC)"
        case .dayOfWeek: " or a weekday name (SUN-SAT)"
        case .minute, .hour, .dayOfMonth: ""
        }
    }
}

/// Parses one field: a comma-separated list of `*`, `n`, `a-b`, each optionally followed by `/step`.
private struct FieldParser {
    let field: CronExpression.Field
    let text: Substring
    let expression: String

    /// Whether the field starts with `*` (`*`, `*/15`), as Vixie cron's `*_STAR` flags.
    var isWildcard: Bool { text.hasPrefix("*") }

    func parse() throws(CronExpressionError) -> CronExpression.ValueSet {
        var values = CronExpression.ValueSet()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (lower, upper, step) = try parseItem(item)
            for value in stride(from: lower, through: upper, by: step) {
                values.insert(field == .dayOfWeek && value == 7 ? 0 : value)
            }
        }
        return values
    }

    /// Parses `*`, `n`, `a-b`, `*/s`, `n/s` (from `n` to the field's maximum) or `a-b/s`.
    private func parseItem(_ item: Substring) throws(CronExpressionError) -> (lower: Int, upper: Int, step: Int) {
        guard !item.isEmpty else {
            throw error(.invalidValue, "\(field) field \"\(text)\" has an empty list item")
        }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw error(.invalidValue, "\(field) item \"\(item)\" has more than one \"/\"")
        }
        let base = parts[0]
        let step = try parts.count == 2 ? parseStep(parts[1], in: item) : 1
        if base == "*" { return (field.bounds.lowerBound, field.bounds.upperBound, step) }
        let ends = base.split(separator: "-", omittingEmptySubsequences: false)
        switch ends.count {
        case 1 where !base.isEmpty:
            let value = try parseValue(base)
            return (value, parts.count == 2 ? field.bounds.upperBound : value, step)
        case 2 where !ends[0].isEmpty && !ends[1].isEmpty:
            let lower = try parseValue(ends[0])
            let upper = try parseValue(ends[1])
            guard lower <= upper else {
                throw error(.reversedRange, "\(field) range \"\(base)\" is reversed: \(ends[0]) comes after \(ends[1])")
            }
            return (lower, upper, step)
        default:
            throw error(.invalidValue, "\(field) item \"\(item)\" is not a value, a range or a step")
        }
    }

    private func parseValue(_ token: Substring) throws(CronExpressionError) -> Int {
        let bounds = field.bounds
        if isDecimal(token) {
            guard let value = Int(token), bounds.contains(value) else {
                throw error(.valueOutOfRange, "\(field) value \(token) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            return value
        }
        if let value = field.names[token.uppercased()] { return value }
        throw error(.invalidValue, "\(field) value \"\(token)\" is not a number\(field.namesHint)")
    }

    private func parseStep(_ token: Substring, in item: Substring) throws(CronExpressionError) -> Int {
        guard isDecimal(token) else {
            throw error(.invalidStep, "\(field) step \"\(token)\" in \"\(item)\" is not a number")
        }
        let largest = field.bounds.upperBound
        guard let step = Int(token), (1...largest).contains(step) else {
            throw error(.invalidStep, "\(field) step \(token) in \"\(item)\" is out of range 1-\(largest)")
        }
        return step
    }

    private func isDecimal(_ token: Substring) -> Bool {
        !token.isEmpty && token.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private func error(_ code: CronExpressionError.Code, _ reason: String) -> CronExpressionError {
        CronExpressionError(code, expression: expression, field: field, reason: reason)
    }
}
