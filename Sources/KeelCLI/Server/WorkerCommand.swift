import ArgumentParser

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
