import ArgumentParser

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
