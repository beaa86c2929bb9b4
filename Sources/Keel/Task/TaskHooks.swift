public import Foundation

/// Code a task runs once, durably, after its run's outcome is known: to notify, to clean up.
///
/// Each hook runs as a journaled step (`onSuccess`, `onFailure`) after the body finished and
/// before the run's final status is written, retried by the task's policy. A hook that fails
/// for good is journaled and logged; the run's outcome stands. Cancelled and expired runs run
/// no hooks.
///
/// ```swift
/// static let hooks = TaskHooks<Input, Output>(
///     onFailure: { runID, input, error in try await pager.page("order \(input.orderID) failed: \(error.message)") }
/// )
/// ```
public struct TaskHooks<Input: Sendable, Output: Sendable>: Sendable {
    /// Called with the run's id, input and output once it completed.
    public var onSuccess: (@Sendable (_ runID: RunID, _ input: Input, _ output: Output) async throws -> Void)?
    /// Called with the run's id, input and error once it failed for good (after compensations).
    public var onFailure: (@Sendable (_ runID: RunID, _ input: Input, _ error: RecordedError) async throws -> Void)?

    /// Creates hooks; both are optional.
    public init(
        onSuccess: (@Sendable (_ runID: RunID, _ input: Input, _ output: Output) async throws -> Void)? = nil,
        onFailure: (@Sendable (_ runID: RunID, _ input: Input, _ error: RecordedError) async throws -> Void)? = nil
    ) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
    }
}

/// Hooks the engine runs after every run of every task, after the task's own
/// (``KeelEngine/Configuration/hooks``), durably in the same way as ``TaskHooks``.
public struct RunHooks: Sendable {
    /// Called once a run completed.
    public var onSuccess: (@Sendable (FinishedRun) async throws -> Void)?
    /// Called once a run failed for good.
    public var onFailure: (@Sendable (FinishedRun) async throws -> Void)?

    /// Creates hooks; both are optional.
    public init(
        onSuccess: (@Sendable (FinishedRun) async throws -> Void)? = nil,
        onFailure: (@Sendable (FinishedRun) async throws -> Void)? = nil
    ) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
    }
}

/// A run whose outcome is known, as global hooks see it.
public struct FinishedRun: Sendable, Hashable {
    /// The run's id.
    public var runID: RunID
    /// Its task's name.
    public var taskName: String
    /// Its input, as JSON.
    public var input: Data
    /// Its output, as JSON, when it completed.
    public var output: Data?
    /// Its error, when it failed.
    public var error: RecordedError?
}
