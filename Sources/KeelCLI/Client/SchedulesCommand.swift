import ArgumentParser

/// `keel schedules`: list, create and delete cron schedules.
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "List, create and delete cron schedules.",
        subcommands: [SchedulesListCommand.self, SchedulesCreateCommand.self, SchedulesDeleteCommand.self]
    )

}
