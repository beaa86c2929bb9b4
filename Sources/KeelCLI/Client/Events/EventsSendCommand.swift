import ArgumentParser

/// `keel events send NAME`: delivers an event to every run waiting for it (`POST /api/v1/events/{name}`).
struct EventsSendCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send an event to the runs waiting for it.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The event's name.
    @Argument(help: "The event's name.")
    var name: String

    /// The payload JSON, `@file` or `@-`.
    @Option(help: ArgumentHelp("The payload the runs receive, as JSON, @file or @-.", valueName: "json"))
    var payload: String = "{}"

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            let body = PayloadRequest(payload: try JSONArgument.parse(payload, option: "--payload"))
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/events/\(PercentEncoding.encode(name))", body: body)
                if client.json {
                    Terminal.printLine(response.text)
                } else {
                    let runs = try response.decode(EventDelivery.self).runs
                    Terminal.printLine(
                        runs.isEmpty
                            ? "event \(name): no run was waiting for it"
                            : "event \(name): delivered to \(runs.count) run\(runs.count == 1 ? "" : "s")\n" + runs.joined(separator: "\n")
                    )
                }
            }
        }
    }
}
