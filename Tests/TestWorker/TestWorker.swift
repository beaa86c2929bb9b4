import Foundation
import Keel
import KeelCLI

/// Three steps, each returning which worker process ran it: the task of the multi-process tests.
struct ThreeSteps: TaskDefinition {
    struct Step: Codable, Sendable, Hashable {
        var index: Int
        var worker: Int32
    }

    static let name = "test.three-steps"

    func run(input: Int, context: TaskContext) async throws -> [Step] {
        var steps: [Step] = []
        for index in 0..<3 {
            steps.append(try await context.step("step-\(index)") {
                // A little work, so a process killed mid-load has runs in flight.
                try await Task.sleep(for: .milliseconds(2))
                return Step(index: index, worker: ProcessInfo.processInfo.processIdentifier)
            })
        }
        return steps
    }
}

/// `keel-test-worker worker --postgres URL …`: the `keel` commands with ``ThreeSteps`` registered.
@main
struct TestWorker {
    static func main() async {
        await KeelCLI.main(tasks: [ThreeSteps()])
    }
}
