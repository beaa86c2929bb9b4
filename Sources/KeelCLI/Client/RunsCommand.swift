import ArgumentParser

/// `keel runs`: list, show, watch, cancel and resume runs.
struct RunsCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List, show, watch, cancel and resume runs.",
        subcommands: [RunsListCommand.self, RunsShowCommand.self, RunsWatchCommand.self, RunsCancelCommand.self, RunsResumeCommand.self]
    )

}
