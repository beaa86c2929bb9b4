public import Foundation

/// The identifier of a run: a time-ordered UUID (version 7) in its lowercase string form.
///
/// Identifiers sort by creation time, so listings ordered by id are ordered by age.
public struct RunID: Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The identifier as stored and shown, for example `0193a1b2-…`.
    public let rawValue: String

    /// Wraps an existing identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Wraps an identifier written as a literal, for tests and examples.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Creates a new time-ordered identifier for a run created at `date`.
    public static func make(at date: Date) -> RunID {
        RunID(TimeOrderedUUID.make(milliseconds: UInt64(max(0, date.timeIntervalSince1970 * 1000))).uuidString.lowercased())
    }

    /// The start of every identifier ``make(at:)`` gives for the millisecond `milliseconds`
    /// after 1970 (its 48-bit time, `tttttttt-tttt`): identifiers of runs created before that
    /// millisecond sort below it, those created in it or later sort at or above it.
    package static func timePrefix(ofMilliseconds milliseconds: Int64) -> String {
        let time = UInt64(clamping: max(0, milliseconds)) & 0xFFFF_FFFF_FFFF
        let hex = String(time, radix: 16)
        let digits = String(repeating: "0", count: 12 - hex.count) + hex
        return digits.prefix(8) + "-" + digits.suffix(4)
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits.
enum TimeOrderedUUID {
    /// The random bits come from `SystemRandomNumberGenerator` (the `getrandom` system call), not
    /// from `UUID()`, which on Linux opens, reads and closes `/dev/urandom` for every identifier:
    /// three system calls per run created.
    static func make(milliseconds: UInt64) -> UUID {
        var generator = SystemRandomNumberGenerator()
        var bytes = UUID.randomBytes(using: &generator)
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = (bytes.6 & 0x0F) | 0x70
        bytes.8 = (bytes.8 & 0x3F) | 0x80
        return UUID(uuid: bytes)
    }
}

extension UUID {
    /// Sixteen random bytes from `generator`.
    fileprivate static func randomBytes(using generator: inout some RandomNumberGenerator) -> uuid_t {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            let high = generator.next() as UInt64
            let low = generator.next() as UInt64
            buffer.storeBytes(of: high, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
        }
        return bytes
    }
}
