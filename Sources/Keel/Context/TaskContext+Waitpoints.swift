import Foundation
import Synchronization

extension TaskContext {
    /// Creates a waitpoint token that anything outside the run can complete with a JSON payload.
    ///
    /// The token is journaled: on replay the same token is returned. Hand its ``WaitToken/id``
    /// (or ``WaitToken/callbackPath``) to whoever completes it, then ``wait(for:as:)``.
    /// - Parameter timeout: how long the token can be completed; `nil` for no limit.
    public func createToken(timeout: Duration? = nil) async throws -> WaitToken {
        let (position, recorded, _) = try claimPosition(for: .token)
        if let recorded {
            return try JSONCoding.decode(WaitToken.self, from: recorded.payload ?? Data(), what: "the token recorded at position \(position)")
        }
        try await ensureLive()
        let now = clock.now()
        let token = WaitToken(id: "tok_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), timeoutAt: timeout.map { now.adding($0) })
        let payload = try JSONCoding.encode(token, what: "a token")
        try await write(
            [makeEntry(position: position, kind: .tokenCreated, name: "token", payload: payload)],
            newWaitpoints: [Waitpoint(id: token.id, runID: runID, kind: .token, timeoutAt: token.timeoutAt, createdAt: now)]
        )
        return token
    }

    /// Waits until `token` is completed and returns its payload decoded as `Payload`. The run
    /// holds no worker slot while it waits.
    /// - Throws: ``WaitTimeoutError`` if the token times out first.
    public func wait<Payload: Decodable & Sendable>(for token: WaitToken, as type: Payload.Type = Payload.self) async throws -> Payload {
        let waitpoint = Waitpoint(id: token.id, runID: runID, kind: .token, timeoutAt: token.timeoutAt, createdAt: clock.now())
        let payload = try await awaitWaitpoint(.wait("token \(token.id)")) { _ in waitpoint }
        return try JSONCoding.decode(Payload.self, from: payload ?? Data("null".utf8), what: "the payload of token '\(token.id)'")
    }

    /// Waits for the event `name` sent with ``KeelEngine/sendEvent(_:payload:)`` while this run
    /// waits, and returns its payload decoded as `Payload`. The run holds no worker slot while it
    /// waits. An event sent before the wait began is not seen: use a token for that.
    /// - Throws: ``WaitTimeoutError`` if `timeout` passes first.
    public func waitForEvent<Payload: Decodable & Sendable>(
        _ name: String, as type: Payload.Type = Payload.self, timeout: Duration? = nil
    ) async throws -> Payload {
        let payload = try await awaitWaitpoint(.wait("event \(name)")) { position in
            let now = self.clock.now()
            return Waitpoint(
                id: "\(self.runID.rawValue)/\(position)", runID: self.runID, kind: .event, eventName: name,
                timeoutAt: timeout.map { now.adding($0) }, createdAt: now
            )
        }
        return try JSONCoding.decode(Payload.self, from: payload ?? Data("null".utf8), what: "the payload of event '\(name)'")
    }

    /// The durable wait on a waitpoint: answered from the journal on replay; live, asks the
    /// store, which either answers (completed, timed out) or suspends the run until it can.
    /// - Returns: the completion payload.
    func awaitWaitpoint(_ call: DurableCall, waitpoint: (Int) -> Waitpoint) async throws -> Data? {
        let (position, recorded, _) = try claimPosition(for: call)
        if let recorded {
            if recorded.kind == .waitTimedOut { throw WaitTimeoutError(waitedFor: call.name, timeoutAt: recorded.wakeAt) }
            return recorded.payload
        }
        try await ensureLive()
        // The wait may suspend the run: what it did before is durable first.
        try await commitDeferred()
        let waitpoint = waitpoint(position)
        let resolution = try await underLease { try await engine.awaitWaitpoint(waitpoint, lease: lease) }
        switch resolution {
        case .suspended:
            state.withLock { $0.stop = .suspended }
            throw RunSuspension()
        case .completed(let payload):
            try await write([makeEntry(position: position, kind: .waitCompleted, name: call.name, payload: payload)])
            return payload
        case .childrenSettled(let children):
            let payload = try JSONCoding.encode(children.map(ChildRunOutcome.init), what: "the outcomes of child runs")
            try await write([makeEntry(position: position, kind: .waitCompleted, name: call.name, payload: payload)])
            return payload
        case .timedOut:
            let observedAt = clock.now()
            try await write([makeEntry(position: position, kind: .waitTimedOut, name: call.name, wakeAt: observedAt)])
            throw WaitTimeoutError(waitedFor: call.name, timeoutAt: observedAt)
        }
    }
}
