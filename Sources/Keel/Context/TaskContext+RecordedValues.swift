public import Foundation

extension TaskContext {
    /// The current time, recorded: replays return the same value. Use it instead of `Date()`
    /// in code between steps. Millisecond precision.
    public func now() async throws -> Date {
        try await recorded(.now, kind: .now) {
            let milliseconds = self.clock.now().millisecondsSince1970
            return (Date(millisecondsSince1970: milliseconds), Data(String(milliseconds).utf8))
        } decode: { payload in
            guard let milliseconds = Int64(String(decoding: payload, as: UTF8.self)) else { return nil }
            return Date(millisecondsSince1970: milliseconds)
        }
    }

    /// A random UUID, recorded: replays return the same value. Use it instead of `UUID()`.
    public func uuid() async throws -> UUID {
        try await recorded(.uuid, kind: .uuid) {
            let uuid = UUID()
            return (uuid, Data(uuid.uuidString.utf8))
        } decode: { payload in
            UUID(uuidString: String(decoding: payload, as: UTF8.self))
        }
    }

    /// A random number in `0..<1`, recorded: replays return the same value. Use it instead of
    /// `Double.random(in:)`.
    public func random() async throws -> Double {
        try await recorded(.random, kind: .random) {
            let value = Double.random(in: 0..<1)
            return (value, Data(value.description.utf8))
        } decode: { payload in
            Double(String(decoding: payload, as: UTF8.self))
        }
    }

    private func recorded<Value>(
        _ call: DurableCall,
        kind: JournalEntry.Kind,
        make: () -> (Value, Data),
        decode: (Data) -> Value?
    ) async throws -> Value {
        let (position, recorded, _) = try claimPosition(for: call)
        if let recorded {
            guard let payload = recorded.payload, let value = decode(payload) else {
                throw KeelError(.invalidInput, "the journal's \(call) at position \(position) holds no valid value")
            }
            return value
        }
        try await ensureLive()
        let (value, payload) = make()
        // Committed with the run's next write: until then nothing outside the run saw the value.
        writeWithNextCommit(makeEntry(position: position, kind: kind, name: call.kind.rawValue, payload: payload))
        return value
    }
}
