import ArgumentParser

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
