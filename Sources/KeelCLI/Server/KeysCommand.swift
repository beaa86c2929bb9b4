import ArgumentParser
import KeelServer

/// `keel keys`: makes API keys and their digests for `keel serve`.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make API keys for keel serve.",
        subcommands: [Generate.self, Digest.self]
    )

    /// `keel keys generate`.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random API key and its SHA-256 digest (give the digest to keel serve, the key to clients)."
        )

        func run() async throws {
            let key = APIKeySet.generateKey()
            print("key     \(key)")
            print("sha256  \(APIKeySet.digest(of: key))")
        }
    }

    /// `keel keys digest KEY`.
    struct Digest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the SHA-256 digest of an API key.")

        @Argument(help: "The key.") var key: String

        func run() async throws { print(APIKeySet.digest(of: key)) }
    }
}
