import ArgumentParser

/// `keel schedules create`: creates (or replaces) a cron schedule (`POST /api/v1/schedules`).
struct SchedulesCreateCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a cron schedule that triggers a task.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The schedule's id.
    @Option(help: ArgumentHelp("The schedule's id.", valueName: "id"))
    var id: String

    /// The task it triggers.
    @Option(help: ArgumentHelp("The task it triggers.", valueName: "task"))
    var task: String

    /// The cron expression.
    @Option(help: ArgumentHelp("The cron expression, such as \"*/5 * * * *\".", valueName: "expr"))
    var cron: String

    /// The time zone.
    @Option(help: ArgumentHelp("The time zone to read the expression in, such as Europe/Paris (default UTC).", valueName: "tz"))
    var timezone: String?

    /// The input JSON, `@file` or `@-`.
    @Option(help: ArgumentHelp("The input of every run, as JSON, @file or @-.", valueName: "json"))
    var input: String = "{}"

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            let body = ScheduleRequest(id: id, task: task, cron: cron, timeZone: timezone, input: try JSONArgument.parse(input, option: "--input"))
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/schedules", body: body)
                if client.json {
                    Terminal.printLine(response.text)
                } else {
                    let schedule = try response.decode(ScheduleInfo.self)
                    Terminal.printLine(
                        "schedule \(schedule.id): \(schedule.task) at \"\(schedule.cron)\" \(schedule.timeZone ?? "")".trimmingWhitespace()
                            + (schedule.nextRunAt.map { "; next run \(DisplayFormat.timestamp($0)) UTC" } ?? "")
                    )
                }
            }
        }
    }
}
