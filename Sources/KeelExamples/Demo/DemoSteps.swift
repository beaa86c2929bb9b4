public import Keel
import Logging

/// `demo.steps`: `count` steps with a durable sleep of `sleepSeconds` between them.
///
/// Input `{"count": 3, "sleepSeconds": 1}`; the output lists each step's result.
public struct DemoSteps: TaskDefinition {
    /// How many steps, and how long to sleep between them.
    public struct Input: Codable, Sendable {
        /// The number of steps (1 to 1,000).
        public var count: Int
        /// The durable sleep between two steps, in seconds (0 for none).
        public var sleepSeconds: Double?

        /// Creates an input.
        public init(count: Int, sleepSeconds: Double? = nil) {
            self.count = count
            self.sleepSeconds = sleepSeconds
        }
    }

    /// The result of every step, in order.
    public struct Output: Codable, Sendable, Hashable {
        /// `"step 1 of 3"`, …
        public var steps: [String]
    }

    public static let name = "demo.steps"

    /// Creates the task.
    public init() {}

    public func run(input: Input, context: TaskContext) async throws -> Output {
        guard (1...1_000).contains(input.count) else { throw AbortRunError("count must be between 1 and 1000, got \(input.count)") }
        var steps: [String] = []
        for index in 1...input.count {
            if index > 1, let seconds = input.sleepSeconds, seconds > 0 {
                try await context.sleep(for: .milliseconds(Int64(seconds * 1000)))
            }
            steps.append(try await context.step("step") { "step \(index) of \(input.count)" })
            context.logger.info("finished step \(index) of \(input.count)", metadata: ["keel.step.index": .stringConvertible(index)])
        }
        return Output(steps: steps)
    }
}
