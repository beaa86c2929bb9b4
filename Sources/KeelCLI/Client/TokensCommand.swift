import ArgumentParser

/// `keel tokens`: complete waitpoint tokens.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Complete waitpoint tokens.",
        subcommands: [TokensCompleteCommand.self]
    )

}
