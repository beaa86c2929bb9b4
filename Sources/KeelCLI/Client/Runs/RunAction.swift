/// A `POST /api/v1/runs/{id}/ACTION` the `runs` subcommands send (cancel, resume), printed the same way.
enum RunAction {
    /// Sends `action` for run `id` and prints the run's new status (or the server's JSON with `--json`);
    /// any error becomes one `error: …` line and exit status 1.
    static func perform(_ action: String, id: String, client: ClientOptions) async throws {
        try await Terminal.reportingErrors {
            try await KeelAPIClient.with(client) { api in
                let response = try await api.send(.post, "/api/v1/runs/\(PercentEncoding.encode(id))/\(action)")
                if client.json {
                    Terminal.printLine(response.text)
                } else {
                    let run = try response.decode(RunSummary.self)
                    Terminal.printLine("run \(run.id): \(run.status)")
                }
            }
        }
    }
}
