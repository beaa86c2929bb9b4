import ArgumentParser

/// `keel schedules list`: a table of the cron schedules (`GET /api/v1/schedules`).
struct SchedulesListCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cron schedules.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.get, "/api/v1/schedules")
                Terminal.printLine(client.json ? response.text : Self.render(try response.decode(ScheduleList.self).schedules))
            }
        }
    }

    /// The schedules as a table.
    static func render(_ schedules: [ScheduleInfo]) -> String {
        guard !schedules.isEmpty else { return "no schedules" }
        var table = TextTable(columns: ["ID", "TASK", "CRON", "TIME ZONE", "NEXT RUN (UTC)", "LAST RUN (UTC)", "LAST RUN ID", "SOURCE"])
        for schedule in schedules {
            table.append([
                schedule.id, schedule.task, schedule.cron, schedule.timeZone ?? "-", DisplayFormat.timestamp(schedule.nextRunAt),
                DisplayFormat.timestamp(schedule.lastRunAt), schedule.lastRunId ?? "-",
                schedule.declared == true ? "declared" : "api",
            ])
        }
        return table.rendered()
    }
}
