import Keel

/// A duration command-line value (`--delay`, `--ttl`, `--priority`), checked here and passed
/// to the API the way it accepts durations: a number of seconds (`90`, `0.5`) or a string with
/// a unit (`500ms`, `10s`, `5m`, `2h`, `1d`).
enum DurationArgument {
    /// The units the API understands, longest first so `ms` is not read as `s`.
    static let units = ["ms", "s", "m", "h", "d"]

    /// Parses `text`, the value of `option`.
    /// - Returns: a JSON number for plain seconds, else the text as a JSON string.
    /// - Throws: ``ClientError`` naming the option and the accepted forms.
    static func parse(_ text: String, option: String) throws -> JSONValue {
        let trimmed = text.trimmingWhitespace()
        if isDecimal(trimmed) {
            if let integer = Int64(trimmed) { return .integer(integer) }
            if let number = Double(trimmed) { return .number(number) }
        }
        for unit in units where trimmed.hasSuffix(unit) {
            let amount = String(trimmed.dropLast(unit.count))
            if isDecimal(amount) { return .string(amount + unit) }
            break
        }
        throw ClientError(
            "\(option) '\(text)' is not a duration: use seconds (90, 0.5) or a number with a unit (500ms, 10s, 5m, 2h, 1d)"
        )
    }

    /// Whether `text` is digits with at most one decimal point, and at least one digit.
    private static func isDecimal(_ text: String) -> Bool {
        var digits = 0
        var points = 0
        for character in text {
            if character.isASCII, character.isNumber {
                digits += 1
            } else if character == "." {
                points += 1
            } else {
                return false
            }
        }
        return digits > 0 && points <= 1
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
