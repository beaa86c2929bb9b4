/// A durable task: a named, versioned Swift function from `Input` to `Output`.
///
/// Write the body as ordinary `async` Swift. Put side effects (API calls, LLM calls, writes)
/// inside ``TaskContext/step(_:retry:operation:)-(_,_,()->Result)`` so their results are journaled; keep the code
/// between steps deterministic (see <doc:DeterminismAndReplay>). After a crash the body is called
/// again from the top and every journaled call returns its recorded result at once.
///
/// ## Usage
///
/// ```swift
/// struct ShipOrder: TaskDefinition {
///     struct Input: Codable, Sendable { var orderID: String; var amountCents: Int }
///     struct Output: Codable, Sendable { var trackingNumber: String }
///
///     static let name = "ship-order"
///     static let retryPolicy = RetryPolicy(maximumAttempts: 5)
///
///     let payments: any PaymentsClient
///
///     func run(input: Input, context: TaskContext) async throws -> Output {
///         let receipt = try await context.step("charge") {
///             try await payments.charge(input.amountCents, idempotencyKey: context.idempotencyKey)
///         }
///         try await context.sleep(for: .seconds(3600))
///         return Output(trackingNumber: "TRK-\(receipt.id)")
///     }
/// }
/// ```
public protocol TaskDefinition: Sendable {
    /// The input; add fields as optionals so runs triggered before a change still decode.
    associatedtype Input: Codable & Sendable
    /// The output.
    associatedtype Output: Codable & Sendable

    /// The stable name runs are triggered by and stored under. Defaults to the type's name.
    static var name: String { get }

    /// The version new runs start on; a run stays on the version it started with. Defaults to `"1"`.
    static var version: String { get }

    /// The retry policy for steps of this task that set none, and for errors thrown outside
    /// steps (task-level retries replay the journal, so completed steps do not run again).
    /// Defaults to ``RetryPolicy/engineDefault``: the engine's
    /// ``KeelEngine/Configuration/defaultRetryPolicy``.
    static var retryPolicy: RetryPolicy { get }

    /// The queue runs of this task wait in, with its limits; `nil` (the default) uses the
    /// engine's ``KeelEngine/Configuration/queue`` without limits.
    static var queue: QueueDefinition? { get }

    /// Code to run once after the run completes or fails for good; none by default.
    static var hooks: TaskHooks<Input, Output> { get }

    /// Cron schedules that trigger this task; none by default. The engine creates or updates
    /// them in the store when it starts.
    static var schedules: [CronSchedule<Input>] { get }

    /// The task's body.
    /// - Parameters:
    ///   - input: the run's input.
    ///   - context: the run's durable operations: steps, sleeps, recorded values.
    /// - Returns: the run's output, journaled as its result.
    func run(input: Input, context: TaskContext) async throws -> Output
}

extension TaskDefinition {
    public static var name: String { String(describing: Self.self) }
    public static var version: String { "1" }
    public static var retryPolicy: RetryPolicy { .engineDefault }
    public static var queue: QueueDefinition? { nil }
    public static var hooks: TaskHooks<Input, Output> { TaskHooks() }
    public static var schedules: [CronSchedule<Input>] { [] }
}
