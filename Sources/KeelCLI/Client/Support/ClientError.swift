/// An error of a client command, told to the user as one line: `error: <message>`.
struct ClientError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, on one line.
    var message: String

    /// Creates an error with `message`; line breaks in it are folded into spaces.
    init(_ message: String) {
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The message.
    var description: String { message }
}
