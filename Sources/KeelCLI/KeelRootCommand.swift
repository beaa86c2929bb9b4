import ArgumentParser

/// `keel`: runs Keel (`dev`, `serve`, `worker`) and drives a running server.
struct KeelRootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "Durable execution for Swift: run Keel, trigger runs and inspect them.",
        subcommands: [
            DevCommand.self, ServeCommand.self, WorkerCommand.self,
            TriggerCommand.self, RunsCommand.self, TokensCommand.self, EventsCommand.self, SchedulesCommand.self,
            KeysCommand.self,
        ]
    )
}
