import ArgumentParser

/// `keel runs list`: a table of runs, newest first (`GET /api/v1/runs`).
struct RunsListCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// `status`, comma-separated.
    @Option(help: ArgumentHelp("Only runs with these statuses (comma-separated: queued,running,…).", valueName: "status"))
    var status: String?

    /// `task`.
    @Option(help: ArgumentHelp("Only runs of this task.", valueName: "task"))
    var task: String?

    /// `tag`.
    @Option(help: ArgumentHelp("Only runs with this tag.", valueName: "tag"))
    var tag: String?

    /// `limit`.
    @Option(help: ArgumentHelp("At most this many runs (1–500, default 50).", valueName: "n"))
    var limit: Int?

    /// `cursor`.
    @Option(help: ArgumentHelp("Continue from the cursor a previous page printed.", valueName: "cursor"))
    var cursor: String?

    /// The query the options describe.
    var query: [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        if let task { items.append(("task", task)) }
        if let status { items.append(("status", status.split(separator: ",").map { String($0).trimmingWhitespace() }.joined(separator: ","))) }
        if let tag { items.append(("tag", tag)) }
        if let limit { items.append(("limit", String(limit))) }
        if let cursor { items.append(("cursor", cursor)) }
        return items
    }

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.get, "/api/v1/runs", query: query)
                if client.json {
                    Terminal.printLine(response.text)
                    return
                }
                let page = try response.decode(RunPage.self)
                Terminal.printLine(Self.render(page))
            }
        }
    }

    /// The table for a page, and the next cursor when there is one.
    static func render(_ page: RunPage) -> String {
        guard !page.runs.isEmpty else { return "no runs" }
        var table = TextTable(columns: ["ID", "TASK", "STATUS", "CREATED (UTC)", "DURATION", "ATTEMPT", "TAGS"])
        for run in page.runs {
            table.append([
                run.id, run.task, run.status, DisplayFormat.timestamp(run.createdAt),
                DisplayFormat.duration(from: run.startedAt, to: run.finishedAt),
                run.attempt.map(String.init) ?? "-", (run.tags ?? []).joined(separator: ","),
            ])
        }
        var text = table.rendered()
        if let next = page.nextCursor, !next.isEmpty { text += "\n\nnext cursor: \(next)" }
        return text
    }
}
