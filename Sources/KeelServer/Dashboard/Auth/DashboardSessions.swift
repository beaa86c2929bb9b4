import Crypto
import Foundation

/// Signs and checks the dashboard's session cookies and CSRF tokens.
///
/// A session is granted for an API key the server accepts: the cookie carries its expiry, a
/// fingerprint of the key's digest (so removing the key from the server ends its sessions), a
/// random nonce and an HMAC-SHA256 over them with the server's session secret. Nothing is kept
/// on the server. The CSRF token of a session is an HMAC of its nonce, so it is the same on
/// every page of one session and unknown to any other.
struct DashboardSessions: Sendable {
    /// The cookie holding the session.
    static let cookieName = "keel_session"
    /// The cookie holding the login form's CSRF value (double submit) before there is a session.
    static let loginCookieName = "keel_login"

    private let secret: SymmetricKey
    let keys: APIKeySet
    let lifetime: Duration

    init(secret: SymmetricKey, keys: APIKeySet, lifetime: Duration) {
        self.secret = secret
        self.keys = keys
        self.lifetime = lifetime
    }

    /// A verified session.
    struct Session: Sendable {
        /// The cookie value.
        var token: String
        /// The nonce its CSRF token derives from.
        var nonce: String
        var expiresAt: Date
    }

    /// A new session for `key`, or `nil` if the server does not accept the key.
    func create(forKey key: String, now: Date = Date()) -> Session? {
        guard keys.accepts(key) else { return nil }
        let expires = Int64((now.timeIntervalSince1970 + Double(lifetime.components.seconds)).rounded(.down))
        let fingerprint = Self.fingerprint(ofDigest: APIKeySet.digest(of: key))
        let nonce = Self.randomHex(bytes: 16)
        let body = "v1.\(expires).\(fingerprint).\(nonce)"
        return Session(token: body + "." + mac(body), nonce: nonce, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// The session `token` stands for, if it is signed by this server, unexpired, and its key is
    /// still accepted.
    func verify(_ token: String, now: Date = Date()) -> Session? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "v1", let expires = Int64(parts[1]) else { return nil }
        let body = parts[0...3].joined(separator: ".")
        guard Self.constantTimeEquals(mac(body), parts[4]) else { return nil }
        guard TimeInterval(expires) > now.timeIntervalSince1970 else { return nil }
        guard keys.fingerprints.contains(parts[2]) else { return nil }
        return Session(token: token, nonce: parts[3], expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// The CSRF token every form and POST of `session` must carry.
    func csrfToken(for session: Session) -> String {
        mac("csrf." + session.nonce)
    }

    /// Whether `candidate` is the CSRF token of `session`.
    func checkCSRF(_ candidate: String?, session: Session) -> Bool {
        guard let candidate else { return false }
        return Self.constantTimeEquals(csrfToken(for: session), candidate)
    }

    private func mac(_ text: String) -> String {
        Self.hex(Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: secret)))
    }

    /// The first 16 hexadecimal characters of the SHA-256 of a key's digest.
    static func fingerprint(ofDigest digest: String) -> String {
        String(hex(Array(SHA256.hash(data: Data(digest.utf8)))).prefix(16))
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
