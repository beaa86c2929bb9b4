/// A cron expression, or the time zone given with it, could not be parsed.
///
/// The ``description`` quotes the expression and names what was wrong: the field, the offending
/// token and what the field allows.
///
/// ```
/// invalid cron expression "61 * * * *": minute value 61 is out of range 0-59
/// ```
///
/// ``code`` lets callers branch without parsing the message.
public struct CronExpressionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is. New codes may be added; match the ones you handle.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// The expression is empty or only whitespace.
        public static let empty = Code(name: "empty")
        /// The expression does not have exactly five fields.
        public static let wrongFieldCount = Code(name: "wrongFieldCount")
        /// The expression starts with `@` but is not one of the supported macros.
        public static let unknownMacro = Code(name: "unknownMacro")
        /// A field holds something that is not a number, a name, a range or a step.
        public static let invalidValue = Code(name: "invalidValue")
        /// A number lies outside what its field allows, such as minute `61`.
        public static let valueOutOfRange = Code(name: "valueOutOfRange")
        /// A step (`/n`) is not a number, or is zero or larger than the field's maximum.
        public static let invalidStep = Code(name: "invalidStep")
        /// A range starts after it ends, such as `5-1`.
        public static let reversedRange = Code(name: "reversedRange")
        /// The time zone identifier is not known to the system.
        public static let unknownTimeZone = Code(name: "unknownTimeZone")

        /// The code's name, such as `valueOutOfRange`.
        public var description: String { name }
    }

    /// What kind of problem this is.
    public var code: Code
    /// The expression as it was given.
    public var expression: String
    /// The field the problem is in, or `nil` when it concerns the whole expression or the time zone.
    public var field: CronExpression.Field?
    /// What was wrong, without the expression, such as `minute value 61 is out of range 0-59`.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: what kind of problem this is.
    ///   - expression: the expression as it was given.
    ///   - field: the field the problem is in, if any.
    ///   - reason: what was wrong, naming the field, the token and what is allowed.
    public init(_ code: Code, expression: String, field: CronExpression.Field? = nil, reason: String) {
        self.code = code
        self.expression = expression
        self.field = field
        self.reason = reason
    }

    /// The full message, such as `invalid cron expression "61 * * * *": minute value 61 is out of range 0-59`.
    public var description: String { "invalid cron expression \"\(expression)\": \(reason)" }
}
