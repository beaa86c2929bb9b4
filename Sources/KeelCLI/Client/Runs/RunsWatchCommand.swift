import ArgumentParser
import Foundation
import Keel

/// `keel runs watch ID`: prints a run's journal entries and status changes as they happen,
/// until it ends (`GET /api/v1/runs/{id}/events`); exits 1 unless it completed.
struct RunsWatchCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a run until it ends; exit 1 unless it completed.",
        discussion: "With --json, prints one JSON object per event: {\"event\": …, \"id\": …, \"data\": …}."
    )

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The run's id.
    @Argument(help: "The run's id.")
    var id: String

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                var formatter = RunEventFormatter()
                let end = try await RunFollower(client: api, runID: id).follow { event in
                    if client.json {
                        Terminal.printLine(Self.jsonLine(event))
                    } else {
                        for line in try formatter.lines(for: event) { Terminal.printLine(line) }
                    }
                }
                guard end.runStatus == .completed else {
                    Terminal.printError(RunFollower.failureMessage(end))
                    throw ExitCode.failure
                }
            }
        }
    }

    /// An event as one JSON line, its data embedded as the server sent it (as a JSON string
    /// when it is not JSON).
    static func jsonLine(_ event: ServerSentEvent) -> String {
        let id = event.id.map { DisplayFormat.json(.string($0)) } ?? "null"
        let data: String
        if (try? JSONArgument.decode(Data(event.data.utf8), option: "data")) != nil {
            data = event.data.split(whereSeparator: \.isNewline).joined(separator: " ")
        } else {
            data = DisplayFormat.json(.string(event.data))
        }
        return "{\"event\":\(DisplayFormat.json(.string(event.event))),\"id\":\(id),\"data\":\(data)}"
    }
}
