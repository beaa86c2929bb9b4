import ArgumentParser

/// `keel schedules`: list, create and delete cron schedules.
struct SchedulesCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List, create and delete cron schedules.",
        subcommands: [SchedulesListCommand.self, SchedulesCreateCommand.self, SchedulesDeleteCommand.self]
    )

}
