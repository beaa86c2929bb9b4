import ArgumentParser

/// `keel events`: send events to the runs waiting for them.
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Send events to the runs waiting for them.",
        subcommands: [EventsSendCommand.self]
    )

}
