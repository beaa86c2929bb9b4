import ArgumentParser

/// `keel tokens complete TOKEN`: completes a waitpoint token, resuming the run waiting for it
/// (`POST /api/v1/tokens/{token}/complete`).
struct TokensCompleteCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "complete", abstract: "Complete a token, resuming the run waiting for it.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The token's id.
    @Argument(help: "The token's id (the payload of the run's token.created journal entry).")
    var token: String

    /// The payload JSON, `@file` or `@-`.
    @Option(help: ArgumentHelp("The payload the run receives, as JSON, @file or @-.", valueName: "json"))
    var payload: String = "{}"

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            let body = PayloadRequest(payload: try JSONArgument.parse(payload, option: "--payload"))
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/tokens/\(PercentEncoding.encode(token))/complete", body: body)
                if client.json {
                    Terminal.printLine(response.text)
                } else {
                    let info = try response.decode(TokenInfo.self)
                    Terminal.printLine("token \(info.id): \(info.status ?? "completed")" + (info.runId.map { " (run \($0))" } ?? ""))
                }
            }
        }
    }
}
