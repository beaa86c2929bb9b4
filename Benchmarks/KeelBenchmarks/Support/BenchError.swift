/// A benchmark that could not run, or whose result was wrong; the message says which and why.
struct BenchError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Throws a ``BenchError`` naming the scenario when `condition` does not hold: every scenario
/// checks its outputs (sums, statuses) on every repeat, not only in smoke mode.
func check(_ condition: Bool, _ scenario: ScenarioID, _ message: @autoclosure () -> String) throws {
    if !condition { throw BenchError("scenario \(scenario.rawValue): wrong result: \(message())") }
}
