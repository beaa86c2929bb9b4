import ArgumentParser

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
