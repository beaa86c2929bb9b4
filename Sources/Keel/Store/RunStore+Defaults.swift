public import Foundation

/// Fallbacks for the run-log and schedule-toggle requirements, so that a store written before
/// them still builds. A store should implement all three: with these, its runs keep no logs
/// (``RunTransition/logs`` is dropped too) and its schedules cannot be disabled.
extension RunStore {
    /// Keeps nothing: this store has no run logs yet.
    public func appendRunLogs(_ lines: [RunLogLine], maximumPerRun: Int) async throws {}

    /// No lines: this store has no run logs yet.
    public func runLogs(_ id: RunID, afterSequence: Int?, limit: Int) async throws -> [RunLogLine] { [] }

    /// - Throws: ``KeelError/Code/invalidState``: this store cannot disable schedules yet.
    public func setScheduleEnabled(_ id: String, isEnabled: Bool, nextFireAt: Date?, now: Date) async throws -> Schedule? {
        throw KeelError(.invalidState, "this store (\(Self.self)) cannot enable or disable schedules yet")
    }
}
