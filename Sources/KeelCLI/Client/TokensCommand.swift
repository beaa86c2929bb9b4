import ArgumentParser

/// `keel tokens`: complete waitpoint tokens.
struct TokensCommand: AsyncParsableCommand {
    /// The command's name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Complete waitpoint tokens.",
        subcommands: [TokensCompleteCommand.self]
    )

}
