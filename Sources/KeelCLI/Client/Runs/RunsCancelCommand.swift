import ArgumentParser

/// `keel runs cancel ID`: cancels a run and its unfinished descendants (`POST /api/v1/runs/{id}/cancel`).
struct RunsCancelCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run and its unfinished child runs.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The run's id.
    @Argument(help: "The run's id.")
    var id: String

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/runs/\(PercentEncoding.encode(id))/cancel")
                if client.json {
                    Terminal.printLine(response.text)
                } else {
                    let run = try response.decode(RunSummary.self)
                    Terminal.printLine("run \(run.id): \(run.status)")
                }
            }
        }
    }
}
