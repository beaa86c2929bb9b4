import Foundation

/// A decoder for the JSON Keel itself recorded (step results, outputs): several times faster
/// than Foundation's `JSONDecoder` on the small values a replay decodes by the thousand, and
/// never different from it — anything it does not handle exactly as `JSONDecoder` would (dates,
/// data, URLs, decimals, floats, numbers with a fraction or an exponent where an integer is
/// asked for, unusual text, any error) makes it give up, and the caller decodes with
/// `JSONDecoder` instead.
struct RecordedJSONDecoder {
    /// Thrown when the fast path gives up; the caller falls back to `JSONDecoder`.
    struct GaveUp: Error {}

    /// Decodes `type` from `data`, or throws ``GaveUp``.
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        if RecordedJSONValue.isSpecial(type) { throw GaveUp() }
        let value = try data.withUnsafeBytes { bytes -> RecordedJSONValue in
            var parser = RecordedJSONParser(bytes: bytes.bindMemory(to: UInt8.self))
            return try parser.parseDocument()
        }
        return try Value(from: RecordedValueDecoder(value: value, codingPath: []))
    }
}

/// A parsed JSON value.
enum RecordedJSONValue {
    case null
    case bool(Bool)
    /// A number's text, as written.
    case number(String)
    case string(String)
    case array([RecordedJSONValue])
    /// Members in the order written.
    case object([(key: String, value: RecordedJSONValue)])

    /// Types `JSONDecoder` decodes in its own way (strategies): the fast path leaves them to it.
    static func isSpecial(_ type: Any.Type) -> Bool {
        type == Date.self || type == Data.self || type == URL.self || type == Decimal.self || type == Float.self
    }
}

/// Parses strict JSON (RFC 8259) from UTF-8 bytes.
struct RecordedJSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseDocument() throws -> RecordedJSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw RecordedJSONDecoder.GaveUp() }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw RecordedJSONDecoder.GaveUp() }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] { throw RecordedJSONDecoder.GaveUp() }
        index += count
    }

    private mutating func parseValue(depth: Int) throws -> RecordedJSONValue {
        guard depth < 256 else { throw RecordedJSONDecoder.GaveUp() }
        skipWhitespace()
        guard index < bytes.count else { throw RecordedJSONDecoder.GaveUp() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: RecordedJSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw RecordedJSONDecoder.GaveUp() }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw RecordedJSONDecoder.GaveUp() }
                index += 1
                // A repeated key: which one JSONDecoder keeps is its business.
                if members.contains(where: { $0.key == key }) { throw RecordedJSONDecoder.GaveUp() }
                members.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw RecordedJSONDecoder.GaveUp() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw RecordedJSONDecoder.GaveUp()
                }
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [RecordedJSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw RecordedJSONDecoder.GaveUp() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw RecordedJSONDecoder.GaveUp()
                }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// A string without escapes is copied as it is; one with escapes is decoded, `\u` with
    /// surrogate pairs included. Control characters and invalid UTF-8 make it give up.
    private mutating func parseString() throws -> String {
        index += 1  // the opening quote
        let start = index
        var escaped = false
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw RecordedJSONDecoder.GaveUp() }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            index += 1
        }
        guard index < bytes.count else { throw RecordedJSONDecoder.GaveUp() }
        let end = index
        index += 1  // the closing quote
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if !escaped {
            // ASCII is valid UTF-8 as it is: `String(validating:)` would check it again, through
            // a generic path that was a fifth of a replay's time.
            if ascii { return String(decoding: raw, as: UTF8.self) }
            guard let text = String(validating: raw, as: UTF8.self) else { throw RecordedJSONDecoder.GaveUp() }
            return text
        }
        return try Self.unescape(raw)
    }

    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(raw.count)
        var index = 0
        func hex4(at position: Int) throws -> UInt32 {
            guard position + 4 <= raw.count else { throw RecordedJSONDecoder.GaveUp() }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[position + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw RecordedJSONDecoder.GaveUp()
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { throw RecordedJSONDecoder.GaveUp() }
            let code = raw[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") else {
                        throw RecordedJSONDecoder.GaveUp()
                    }
                    let low = try hex4(at: index + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw RecordedJSONDecoder.GaveUp() }
                    index += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw RecordedJSONDecoder.GaveUp()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw RecordedJSONDecoder.GaveUp() }
                utf8.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw RecordedJSONDecoder.GaveUp()
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw RecordedJSONDecoder.GaveUp() }
        return text
    }

    /// A number's text, checked against JSON's grammar.
    private mutating func parseNumber() throws -> String {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        let integerDigits = digits()
        guard integerDigits > 0, !(integerDigits > 1 && bytes[index - integerDigits] == UInt8(ascii: "0")) else {
            throw RecordedJSONDecoder.GaveUp()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw RecordedJSONDecoder.GaveUp() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw RecordedJSONDecoder.GaveUp() }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }
}
