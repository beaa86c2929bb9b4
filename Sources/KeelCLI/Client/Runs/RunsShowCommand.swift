import ArgumentParser
import Keel

/// `keel runs show ID`: a run's status, times, input, output or error, and its journal
/// (`GET /api/v1/runs/{id}`).
struct RunsShowCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run and its journal.")

    /// `--url`, `--api-key`, `--json`.
    @OptionGroup var client: ClientOptions

    /// The run's id.
    @Argument(help: "The run's id.")
    var id: String

    /// Sends the request and prints the answer; any error becomes one `error: …` line and exit status 1.
    func run() async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.get, "/api/v1/runs/\(PercentEncoding.encode(id))")
                Terminal.printLine(client.json ? response.text : Self.render(try response.decode(RunDetail.self)))
            }
        }
    }

    /// How many characters of a journal entry's payload or error the table shows.
    static let payloadLimit = 60

    /// The run as `keel runs show` prints it.
    static func render(_ run: RunDetail) -> String {
        let summary = run.summary
        var fields: [(String, String)] = [
            ("Run", summary.id),
            ("Task", summary.task + (summary.version.map { " (version \(Self.plain($0)))" } ?? "")),
            ("Status", summary.status),
            ("Attempt", summary.attempt.map(String.init) ?? "-"),
        ]
        if let queue = summary.queue { fields.append(("Queue", queue)) }
        if let tags = summary.tags, !tags.isEmpty { fields.append(("Tags", tags.joined(separator: ", "))) }
        if let parent = summary.parentId { fields.append(("Parent", parent)) }
        if let key = summary.idempotencyKey { fields.append(("Idempotency key", key)) }
        if let key = summary.concurrencyKey { fields.append(("Concurrency key", key)) }
        fields.append(("Created", DisplayFormat.timestamp(summary.createdAt) + " UTC"))
        if let started = summary.startedAt { fields.append(("Started", DisplayFormat.timestamp(started) + " UTC")) }
        if let finished = summary.finishedAt {
            fields.append(("Finished", DisplayFormat.timestamp(finished) + " UTC"))
            fields.append(("Duration", DisplayFormat.duration(from: summary.startedAt ?? summary.createdAt, to: finished)))
        }
        fields.append(("Input", run.input.map(DisplayFormat.json) ?? "-"))
        if let output = run.output { fields.append(("Output", DisplayFormat.json(output))) }
        if let error = summary.error { fields.append(("Error", error.description)) }

        let width = fields.map(\.0.count).max() ?? 0
        var lines = fields.map { name, value in "\(name):" + String(repeating: " ", count: width - name.count + 2) + value }
        lines.append("")
        if run.journal.isEmpty {
            lines.append("Journal: empty")
        } else {
            lines.append("Journal:")
            lines.append(journalTable(run.journal).rendered())
        }
        return lines.joined(separator: "\n")
    }

    /// A journal as a table: sequence, position, kind, name, attempt, payload or error.
    static func journalTable(_ journal: [JournalEntry]) -> TextTable {
        var table = TextTable(columns: ["SEQ", "POS", "KIND", "NAME", "ATTEMPT", "PAYLOAD / ERROR"])
        for entry in journal {
            var detail = ""
            if let error = entry.error {
                detail = "error: " + error.description
            } else if let payload = entry.payload {
                detail = DisplayFormat.json(payload)
            }
            if let wakeAt = entry.wakeAt { detail += (detail.isEmpty ? "" : "  ") + "until \(DisplayFormat.timestamp(wakeAt))" }
            table.append([
                String(entry.sequence), entry.position.map(String.init) ?? "-", entry.kind, entry.name ?? "",
                entry.attempt.map(String.init) ?? "-", DisplayFormat.truncated(detail, to: payloadLimit),
            ])
        }
        return table
    }

    /// A JSON value as text: strings without quotes, anything else as JSON.
    static func plain(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return DisplayFormat.json(value)
    }
}
