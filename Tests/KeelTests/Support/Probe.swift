import Foundation
import Synchronization

/// Counts how often each named thing happened, shared between a test and its tasks.
final class Probe: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let maxima = Mutex<[String: Int]>([:])

    /// Counts one more `name` and returns the new count.
    @discardableResult
    func hit(_ name: String) -> Int {
        counts.withLock { counts in
            counts[name, default: 0] += 1
            return counts[name]!
        }
    }

    func count(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }

    /// Adds `delta` to the gauge `name`, remembering its maximum.
    func gauge(_ name: String, _ delta: Int) {
        let value = counts.withLock { counts in
            counts[name, default: 0] += delta
            return counts[name]!
        }
        maxima.withLock { $0[name] = max($0[name] ?? 0, value) }
    }

    func maximum(_ name: String) -> Int { maxima.withLock { $0[name] ?? 0 } }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` (real time) until it holds, failing after `seconds`.
func eventually(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw TimedOut(what: what)
}
