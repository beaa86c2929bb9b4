import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
