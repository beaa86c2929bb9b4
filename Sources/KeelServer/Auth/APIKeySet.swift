import Crypto
import Foundation

/// The API keys a server accepts, kept only as SHA-256 digests: a key is never stored, only
/// compared (in constant time) by its digest.
///
/// ```swift
/// let key = APIKeySet.generateKey()                   // "keel_3f9a…", shown once
/// let keys = try APIKeySet(digests: [APIKeySet.digest(of: key)])
/// ```
public struct APIKeySet: Sendable {
    private let digests: [[UInt8]]

    /// Accepts the keys whose SHA-256 digests (64 hexadecimal characters) are `digests`.
    /// - Throws: ``APIKeySetError`` naming a digest that is not 64 hexadecimal characters.
    public init(digests: [String]) throws {
        self.digests = try digests.map { digest in
            guard let bytes = Self.bytes(ofHex: digest), bytes.count == SHA256.byteCount else {
                throw APIKeySetError(message: "'\(digest)' is not a SHA-256 digest (64 hexadecimal characters)")
            }
            return bytes
        }
    }

    /// Accepts `keys`; only their digests are kept.
    public init(keys: [String]) {
        digests = keys.map { Array(SHA256.hash(data: Data($0.utf8))) }
    }

    /// Short fingerprints of the accepted keys' digests, which dashboard sessions carry.
    var fingerprints: Set<String> {
        Set(digests.map { DashboardSessions.fingerprint(ofDigest: Self.hex($0)) })
    }

    /// Whether no key is accepted.
    public var isEmpty: Bool { digests.isEmpty }

    /// Whether `key` is one of the accepted keys.
    public func accepts(_ key: String) -> Bool {
        let candidate = Array(SHA256.hash(data: Data(key.utf8)))
        var found = false
        for digest in digests where Self.constantTimeEquals(digest, candidate) { found = true }
        return found
    }

    /// A new random key: `keel_` and 32 bytes from the system's secure generator, in hexadecimal.
    public static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "keel_" + hex(bytes)
    }

    /// The SHA-256 digest of `key` in hexadecimal, as ``init(digests:)`` takes it.
    public static func digest(of key: String) -> String {
        hex(Array(SHA256.hash(data: Data(key.utf8))))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func bytes(ofHex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// A malformed API key digest.
public struct APIKeySetError: Error, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    public var description: String { message }
}
