/// On replay, the code asked for a different durable operation than the journal recorded at
/// that position: the code changed in a way that does not fit the runs already in flight.
///
/// The run is parked (status ``RunStatus/parked``), its journal untouched. Deploy code that
/// matches the journal (keep the old calls for runs already past them) and resume it with
/// ``KeelEngine/resume(_:)``, or cancel it.
public struct NonDeterminismError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The journal position where code and journal disagree.
    public var position: Int
    /// What the journal recorded there, for example `step 'charge'`.
    public var recorded: String
    /// What the code did there, for example `sleep`, or `return (the task finished)` when it
    /// finished before reaching a recorded call.
    public var attempted: String

    /// Creates the error for a mismatch at `position`.
    public init(position: Int, recorded: String, attempted: String) {
        self.position = position
        self.recorded = recorded
        self.attempted = attempted
    }

    public var description: String {
        "non-determinism at journal position \(position): the journal recorded \(recorded), the code did \(attempted)"
    }
}
