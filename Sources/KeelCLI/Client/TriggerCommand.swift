import ArgumentParser
import Foundation
import Keel

/// `keel trigger TASK`: creates a run of a task (`POST /api/v1/tasks/{task}/trigger`) and prints
/// its id; with `--wait`, follows the run until it ends and prints its output.
struct TriggerCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "trigger",
        abstract: "Trigger a run of a task and print its id.",
        discussion: """
            Durations are seconds (90, 0.5) or a number with a unit (500ms, 10s, 5m, 2h, 1d).
            JSON values can be read from a file with @path, or from standard input with @-.
            """
    )

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The task's name.
    @Argument(help: "The task's name, such as demo.steps.")
    var task: String

    /// The input JSON, `@file` or `@-`.
    @Option(help: ArgumentHelp("The input as JSON, @file or @-.", valueName: "json"))
    var input: String = "{}"

    /// `idempotencyKey`.
    @Option(help: ArgumentHelp("Runs triggered with the same key are one run.", valueName: "key"))
    var idempotencyKey: String?

    /// `delay`.
    @Option(help: ArgumentHelp("Wait this long before the run is due.", valueName: "duration"))
    var delay: String?

    /// `queue`.
    @Option(help: ArgumentHelp("The queue to run on instead of the task's.", valueName: "queue"))
    var queue: String?

    /// `concurrencyKey`.
    @Option(help: ArgumentHelp("The key the task's per-key concurrency limit counts by.", valueName: "key"))
    var concurrencyKey: String?

    /// `priority`.
    @Option(help: ArgumentHelp("Order the run as if it had been queued this much earlier.", valueName: "duration"))
    var priority: String?

    /// `tags`.
    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag to find the run by (repeatable).", valueName: "tag"))
    var tags: [String] = []

    /// `ttl`.
    @Option(help: ArgumentHelp("Expire the run if it has not started within this long.", valueName: "duration"))
    var ttl: String?

    /// Follow the run until it ends.
    @Flag(help: "Follow the run until it ends, print its output, and exit 1 if it did not complete.")
    var wait = false

    /// The request body the arguments describe.
    /// - Throws: ``ClientError`` for a malformed `--input` or duration.
    func request() throws -> TriggerRequest {
        var options = TriggerRequest.Options()
        options.idempotencyKey = idempotencyKey
        options.delay = try delay.map { try DurationArgument.parse($0, option: "--delay") }
        options.queue = queue
        options.concurrencyKey = concurrencyKey
        options.priority = try priority.map { try DurationArgument.parse($0, option: "--priority") }
        options.tags = tags.isEmpty ? nil : tags
        options.ttl = try ttl.map { try DurationArgument.parse($0, option: "--ttl") }
        return TriggerRequest(input: try JSONArgument.parse(input, option: "--input"), options: options.isEmpty ? nil : options)
    }

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            let body = try request()
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/tasks/\(PercentEncoding.encode(task))/trigger", body: body)
                let runID = try response.decode(TriggerAnswer.self).id
                guard wait else {
                    Terminal.printLine(client.json ? response.text : runID)
                    return
                }
                if !client.json { Terminal.printLine(runID) }
                let end = try await RunFollower(client: api, runID: runID).follow { _ in }
                let run = try await api.send(.get, "/api/v1/runs/\(PercentEncoding.encode(runID))")
                if client.json {
                    Terminal.printLine(run.text)
                } else if end.runStatus == .completed, let output = try run.decode(RunDetail.self).output {
                    Terminal.printLine(DisplayFormat.json(output))
                }
                guard end.runStatus == .completed else {
                    Terminal.printError(RunFollower.failureMessage(end))
                    throw ExitCode.failure
                }
            }
        }
    }
}
