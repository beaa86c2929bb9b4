public import Keel

/// `demo.fanout`: batch-triggers `children` runs of `demo.fanout.child` (child `i` returns `i`)
/// and returns the sum of their outputs.
public struct DemoFanout: TaskDefinition {
    /// How many children.
    public struct Input: Codable, Sendable {
        /// The number of children (1 to 10,000).
        public var children: Int

        /// Creates an input.
        public init(children: Int) { self.children = children }
    }

    /// The children's sum.
    public struct Output: Codable, Sendable, Hashable {
        /// How many children completed.
        public var children: Int
        /// The sum of their outputs: 1 + 2 + … + `children`.
        public var sum: Int
    }

    public static let name = "demo.fanout"

    /// Creates the task.
    public init() {}

    public func run(input: Input, context: TaskContext) async throws -> Output {
        guard (1...10_000).contains(input.children) else {
            throw AbortRunError("children must be between 1 and 10000, got \(input.children)")
        }
        let results = try await context.batchTriggerAndWait(DemoFanoutChild.self, inputs: (1...input.children).map { .init(value: $0) })
        var sum = 0
        for result in results { sum += try result.get() }
        return Output(children: results.count, sum: sum)
    }
}

/// `demo.fanout.child`: one step that returns its input's value.
public struct DemoFanoutChild: TaskDefinition {
    /// The value to return.
    public struct Input: Codable, Sendable {
        /// The value.
        public var value: Int

        /// Creates an input.
        public init(value: Int) { self.value = value }
    }

    public static let name = "demo.fanout.child"

    /// Creates the task.
    public init() {}

    public func run(input: Input, context: TaskContext) async throws -> Int {
        try await context.step("compute") { input.value }
    }
}
