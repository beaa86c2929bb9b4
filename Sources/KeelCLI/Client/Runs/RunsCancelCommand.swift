import ArgumentParser

/// `keel runs cancel ID`: cancels a run and its unfinished descendants (`POST /api/v1/runs/{id}/cancel`).
struct RunsCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run and its unfinished child runs.")

    @OptionGroup var client: ClientOptions

    /// The run's id.
    @Argument(help: "The run's id.")
    var id: String

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
