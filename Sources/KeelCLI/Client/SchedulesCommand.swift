import ArgumentParser

struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedules", abstract: "(not written yet)")
    func run() async throws { throw ValidationError("not written yet") }
}
