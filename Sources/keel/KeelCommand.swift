import Foundation
import Keel
import KeelExamples
import KeelSQLite
import Logging

/// `swift run keel demo [TOPIC]`: runs the research agent on `.keel/keel.sqlite` and prints its
/// journal and output. The full CLI (`keel dev`, `keel serve`, …) builds on this.
@main
struct KeelCommand {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.first == "demo" else {
            FileHandle.standardError.write(Data("usage: keel demo [TOPIC]   runs the research-agent example on .keel/keel.sqlite\n".utf8))
            exit(arguments.isEmpty ? 0 : 64)
        }
        let topic = arguments.dropFirst().joined(separator: " ")
        var logger = Logger(label: "keel")
        logger.logLevel = .notice
        let engine = try KeelEngine(store: try .sqlite(path: ".keel/keel.sqlite"), tasks: [ResearchAgent()], logger: logger)
        let service = Task { try await engine.run() }
        let run = try await engine.trigger(ResearchAgent.self, input: .init(topic: topic.isEmpty ? "durable execution" : topic))
        let output = try await run.result()
        print("run \(run.id) completed in \(output.turns) LLM calls")
        for entry in try await engine.journal(run.id) {
            let payload = entry.payload.map { String(decoding: $0, as: UTF8.self) } ?? ""
            print("  #\(entry.position ?? -1) \(entry.kind) \(entry.name): \(payload.prefix(100))")
        }
        print("summary: \(output.summary)")
        service.cancel()
        try await service.value
    }
}
