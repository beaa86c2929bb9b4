import ArgumentParser

/// `keel runs resume ID`: replays a parked run with the code now deployed (`POST /api/v1/runs/{id}/resume`).
struct RunsResumeCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a parked run with the code now deployed.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The run's id.
    @Argument(help: "The run's id.")
    var id: String

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await RunAction.perform("resume", id: id, client: client)
    }
}
