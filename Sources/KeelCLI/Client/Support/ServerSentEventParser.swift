/// Turns the bytes of a `text/event-stream` body into ``ServerSentEvent``s, following the
/// WHATWG rules: lines end with CRLF, LF or CR; a line starting with `:` is a comment; one
/// space after the field's colon is dropped; `data:` lines accumulate; a blank line dispatches
/// the event; an event without data is not dispatched.
///
/// Bytes may arrive in chunks cut anywhere, even inside a UTF-8 character or between CR and LF.
///
/// ## Usage
///
/// ```swift
/// var parser = ServerSentEventParser()
/// for try await chunk in response.body {
///     for event in parser.consume(chunk.readableBytesView) { handle(event) }
/// }
/// ```
struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastByteWasCarriageReturn = false
    private var eventType = ""
    private var data: [String] = []
    private var hasData = false
    private var lastEventID: String?

    /// Creates a parser at the start of a stream.

    /// Parses the next `bytes` of the stream.
    /// - Returns: the events those bytes completed, in order.
    mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where lastByteWasCarriageReturn:
                lastByteWasCarriageReturn = false
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                lastByteWasCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            default:
                lastByteWasCarriageReturn = false
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream. An event not followed by a blank line is dropped, as the standard says.
    mutating func finish() {
        line.removeAll()
        resetEvent()
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": eventType = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        case "id" where !value.contains("\0"): lastEventID = String(value)
        default: break  // `retry` and unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer { resetEvent() }
        guard hasData else { return nil }
        return ServerSentEvent(event: eventType.isEmpty ? "message" : eventType, data: data.joined(separator: "\n"), id: lastEventID)
    }

    private mutating func resetEvent() {
        eventType = ""
        data.removeAll()
        hasData = false
    }
}
