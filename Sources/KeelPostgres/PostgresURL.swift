import Foundation
import NIOSSL
public import PostgresNIO

/// A PostgreSQL connection URL, as `--postgres` and `KEEL_POSTGRES_URL` take it:
/// `postgres://user:password@host:5432/database?sslmode=disable`.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// The client configuration the URL describes.
    public var configuration: PostgresClient.Configuration
    /// The URL with its password hidden, for logs.
    public var description: String

    /// Parses `text`.
    ///
    /// `sslmode` is `disable`, `prefer` (the default: TLS when the server offers it) or
    /// `require`; `search_path` sets the schema Keel's tables live in.
    /// - Throws: ``PostgresURLError`` naming what is wrong.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw PostgresURLError(message: "'\(Self.redacted(text))' is not a PostgreSQL URL; expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError(message: "the PostgreSQL URL '\(Self.redacted(text))' has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError(message: "the PostgreSQL URL '\(Self.redacted(text))' has no user name (postgres://USER@host/database)")
        }
        let database = components.path.isEmpty || components.path == "/" ? user : String(components.path.dropFirst())
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let mode: throw PostgresURLError(message: "unknown sslmode '\(mode)' in the PostgreSQL URL; use disable, prefer or require")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password, database: database, tls: tls
        )
        if let schema = query["search_path"], !schema.isEmpty {
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        self.configuration = configuration
        description = Self.redacted(text)
    }

    private static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}

/// A PostgreSQL URL that cannot be used.
public struct PostgresURLError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public var description: String { message }
}
