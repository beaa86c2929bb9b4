import Foundation

/// Finds where a JSON text stops being JSON, for error messages that name the line and column
/// (Foundation's decoder says only that the data is not valid JSON).
struct JSONPosition {
    private let bytes: [UInt8]
    private var index = 0

    private struct SyntaxError: Error {
        var offset: Int
        var expected: String
    }

    /// "unexpected '}' at line 1, column 9 (expected a value)", or "unexpected end of input …".
    static func describeSyntaxError(in data: Data) -> String {
        var scanner = JSONPosition(bytes: Array(data))
        do {
            try scanner.skipWhitespace()
            try scanner.value()
            try scanner.skipWhitespace()
            if scanner.index < scanner.bytes.count { throw SyntaxError(offset: scanner.index, expected: "the end of input") }
            return "not valid JSON"
        } catch let error as SyntaxError {
            return scanner.describe(error)
        } catch {
            return "not valid JSON"
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func describe(_ error: SyntaxError) -> String {
        var line = 1
        var column = 1
        for byte in bytes[..<min(error.offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        let found: String
        if error.offset >= bytes.count {
            found = "unexpected end of input"
        } else {
            let scalar = Unicode.Scalar(bytes[error.offset])
            found = "unexpected '\(scalar.isASCII && scalar.value >= 0x20 ? String(scalar) : String(format: "\\u%04x", scalar.value))'"
        }
        return "\(found) at line \(line), column \(column) (expected \(error.expected))"
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() throws {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard current == byte else { throw SyntaxError(offset: index, expected: what) }
        index += 1
    }

    private mutating func value() throws {
        switch current {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case .some(let byte) where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte): try number()
        default: throw SyntaxError(offset: index, expected: "a value")
        }
    }

    private mutating func object() throws {
        index += 1
        try skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            try skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw SyntaxError(offset: index, expected: "a member name in double quotes") }
            try string()
            try skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            try skipWhitespace()
            try value()
            try skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return
        }
    }

    private mutating func array() throws {
        index += 1
        try skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try skipWhitespace()
            try value()
            try skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return
        }
    }

    private mutating func string() throws {
        index += 1
        while let byte = current {
            index += 1
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") {
                guard current != nil else { break }
                index += 1
            } else if byte < 0x20 {
                throw SyntaxError(offset: index - 1, expected: "an escaped control character in a string")
            }
        }
        throw SyntaxError(offset: index, expected: "a closing '\"'")
    }

    private mutating func literal(_ word: String) throws {
        for byte in word.utf8 {
            guard current == byte else { throw SyntaxError(offset: index, expected: "'\(word)'") }
            index += 1
        }
    }

    private mutating func number() throws {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, digits.contains(first) else { throw SyntaxError(offset: index, expected: "a digit") }
        while let byte = current, digits.contains(byte) { index += 1 }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let byte = current, digits.contains(byte) else { throw SyntaxError(offset: index, expected: "a digit after '.'") }
            while let byte = current, digits.contains(byte) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let byte = current, digits.contains(byte) else { throw SyntaxError(offset: index, expected: "a digit in the exponent") }
            while let byte = current, digits.contains(byte) { index += 1 }
        }
    }
}
