import ArgumentParser

struct TriggerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trigger", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
