import ArgumentParser

/// `keel events`: send events to the runs waiting for them.
struct EventsCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Send events to the runs waiting for them.",
        subcommands: [EventsSendCommand.self]
    )

}
