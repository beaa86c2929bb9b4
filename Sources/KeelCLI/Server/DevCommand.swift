import ArgumentParser

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dev", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
