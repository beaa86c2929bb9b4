import ArgumentParser

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
