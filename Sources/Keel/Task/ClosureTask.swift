/// A task written as a closure instead of a type, for small tasks and scripts.
///
/// It behaves exactly like a ``TaskDefinition`` type: register it with the engine, trigger it
/// with ``KeelEngine/trigger(_:input:options:)-(ClosureTask<Input,Output>,_,_)``.
///
/// ```swift
/// let greet = ClosureTask("greet") { (name: String, context: TaskContext) in
///     try await context.step("compose") { "Hello, \(name)!" }
/// }
/// let engine = try KeelEngine(store: store, tasks: [greet])
/// let greeting = try await engine.trigger(greet, input: "Ada").result()
/// ```
public struct ClosureTask<Input: Codable & Sendable, Output: Codable & Sendable>: TaskDefinition {
    /// The name runs are triggered by and stored under.
    public let taskName: String
    /// The version new runs start on.
    public let taskVersion: String
    /// The retry policy for steps that set none.
    public let taskRetryPolicy: RetryPolicy
    private let body: @Sendable (Input, TaskContext) async throws -> Output

    /// Creates a task named `name` whose body is `body`.
    public init(
        _ name: String,
        version: String = "1",
        retryPolicy: RetryPolicy = .engineDefault,
        body: @escaping @Sendable (Input, TaskContext) async throws -> Output
    ) {
        taskName = name
        taskVersion = version
        taskRetryPolicy = retryPolicy
        self.body = body
    }

    /// Runs the closure.
    public func run(input: Input, context: TaskContext) async throws -> Output {
        try await body(input, context)
    }
}

/// A task whose name, version and policy belong to the instance rather than the type.
protocol InstanceNamedTask {
    var taskName: String { get }
    var taskVersion: String { get }
    var taskRetryPolicy: RetryPolicy { get }
}

extension ClosureTask: InstanceNamedTask {}
