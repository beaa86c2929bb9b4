import Synchronization

/// Values a task hands to its test (a token id, the order runs started in), in arrival order.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func record(_ value: Value) { values.withLock { $0.append(value) } }

    var all: [Value] { values.withLock { $0 } }

    var last: Value? { values.withLock { $0.last } }
}
