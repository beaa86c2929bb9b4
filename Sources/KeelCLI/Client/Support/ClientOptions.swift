import ArgumentParser

/// The options every command that talks to a running Keel server takes: where it is, the key,
/// and whether to print the server's JSON instead of tables.
///
/// ## Usage
///
/// ```swift
/// struct ShowThing: AsyncParsableCommand {
///     @OptionGroup var client: ClientOptions
/// }
/// ```
struct ClientOptions: ParsableArguments {
    /// The default server address, `keel dev`'s.
    static let defaultURL = "http://127.0.0.1:7400"

    /// The server's base URL.
    @Option(name: .long, help: ArgumentHelp("The Keel server's URL (env KEEL_URL).", valueName: "url"))
    var url: String?

    /// The API key sent as `Authorization: Bearer <key>`.
    @Option(name: .long, help: ArgumentHelp("The API key (env KEEL_API_KEY).", valueName: "key"))
    var apiKey: String?

    /// Print the server's JSON as it came, for scripts.
    @Flag(name: .long, help: "Print the server's JSON as-is instead of tables.")
    var json = false

    /// The URL to use: `--url`, else `KEEL_URL`, else ``defaultURL``.
    func resolvedURL(environment: [String: String]) -> String {
        url ?? environment["KEEL_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL
    }

    /// The API key to use: `--api-key`, else `KEEL_API_KEY`, else none.
    func resolvedAPIKey(environment: [String: String]) -> String? {
        apiKey ?? environment["KEEL_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
