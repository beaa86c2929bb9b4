import ArgumentParser

/// `keel schedules delete ID`: deletes a cron schedule (`DELETE /api/v1/schedules/{id}`).
struct SchedulesDeleteCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a cron schedule.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The schedule's id.
    @Argument(help: "The schedule's id.")
    var id: String

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.delete, "/api/v1/schedules/\(PercentEncoding.encode(id))")
                if client.json {
                    if !response.body.isEmpty { Terminal.printLine(response.text) }
                } else {
                    Terminal.printLine("schedule \(id): deleted")
                }
            }
        }
    }
}
