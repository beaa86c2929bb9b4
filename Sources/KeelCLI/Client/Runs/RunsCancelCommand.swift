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
        try await RunAction.perform("cancel", id: id, client: client)
    }
}
