/// Finds where text stops being JSON, for messages that say more than Foundation's
/// "The given data was not valid JSON." (`unexpected '}' at line 2, column 7`).
///
/// Only the syntax is checked (RFC 8259); the value itself is decoded by `JSONDecoder`.
package struct JSONSyntaxCheck {
    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The first syntax error in `bytes`, or `nil` when they are one JSON value.
    package static func firstError(in bytes: [UInt8]) -> String? {
        var check = JSONSyntaxCheck(bytes)
        do {
            check.skipWhitespace()
            try check.value(depth: 0)
            check.skipWhitespace()
            if check.index < bytes.count { throw check.unexpected("after the value") }
            return nil
        } catch let error as SyntaxError {
            return error.message
        } catch {
            return String(describing: error)
        }
    }

    private struct SyntaxError: Error { var message: String }

    private mutating func value(depth: Int) throws {
        guard depth < 512 else { throw SyntaxError(message: "nested too deeply at \(location)") }
        guard index < bytes.count else { throw SyntaxError(message: "unexpected end of text at \(location)") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if peek(UInt8(ascii: "}")) { return }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected("where a quoted key was expected") }
                try string()
                skipWhitespace()
                guard peek(UInt8(ascii: ":")) else { throw unexpected("where ':' was expected") }
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if peek(UInt8(ascii: ",")) { continue }
                if peek(UInt8(ascii: "}")) { return }
                throw unexpected("where ',' or '}' was expected")
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if peek(UInt8(ascii: "]")) { return }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if peek(UInt8(ascii: ",")) { continue }
                if peek(UInt8(ascii: "]")) { return }
                throw unexpected("where ',' or ']' was expected")
            }
        case UInt8(ascii: "\""):
            try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number()
        default:
            throw unexpected("where a value was expected")
        }
    }

    private mutating func string() throws {
        let start = location
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 2
            case 0..<0x20:
                throw unexpected("(a control character) inside a string; escape it")
            default:
                index += 1
            }
        }
        throw SyntaxError(message: "the string starting at \(start) is not closed")
    }

    private mutating func literal(_ word: String) throws {
        for byte in word.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw unexpected("in '\(word)'") }
            index += 1
        }
    }

    private mutating func number() throws {
        _ = peek(UInt8(ascii: "-"))
        let leadingZero = index < bytes.count && bytes[index] == UInt8(ascii: "0")
        let integerDigits = digits()
        guard integerDigits > 0 else { throw unexpected("where a digit was expected") }
        if leadingZero, integerDigits > 1 {
            index -= integerDigits - 1
            throw unexpected("after a leading zero")
        }
        if peek(UInt8(ascii: ".")), digits() == 0 { throw unexpected("where a digit was expected") }
        if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
            _ = peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-"))
            guard digits() > 0 else { throw unexpected("where a digit was expected") }
        }
    }

    private mutating func digits() -> Int {
        var count = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
            count += 1
        }
        return count
    }

    private mutating func peek(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private func unexpected(_ context: String) -> SyntaxError {
        guard index < bytes.count else { return SyntaxError(message: "unexpected end of text at \(location)") }
        let character = String(decoding: bytes[index...].prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
        let printable = character.unicodeScalars.allSatisfy { $0.value >= 0x20 }
        let shown = printable ? "'\(character)'" : "byte 0x\(String(bytes[index], radix: 16, uppercase: true))"
        return SyntaxError(message: "unexpected \(shown) \(context) at \(location)")
    }

    /// `line L, column C` of `index`, both from 1, columns counted in characters.
    private var location: String {
        let before = bytes[..<min(index, bytes.count)]
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let column = String(decoding: bytes[lineStart..<min(index, bytes.count)], as: UTF8.self).count + 1
        return "line \(line), column \(column)"
    }
}
