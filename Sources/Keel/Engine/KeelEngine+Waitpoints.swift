public import Foundation
import Synchronization

extension KeelEngine {
    /// Completes the waitpoint token `id` with a JSON `payload`; the run waiting on it (now or
    /// later) continues with it.
    /// - Throws: ``KeelError`` with ``KeelError/Code/tokenNotFound`` for an unknown token,
    ///   ``KeelError/Code/invalidState`` if it was already completed or has timed out, or its
    ///   run has finished (a cancelled run, say),
    ///   ``KeelError/Code/invalidInput`` if `payload` is not JSON, ``KeelError/Code/payloadTooLarge``.
    @discardableResult
    public func completeToken(_ id: String, payload: Data) async throws -> Waitpoint {
        try checkPayloadSize(payload, what: "the payload of token '\(id)'")
        try JSONCoding.validateJSON(payload, what: "the payload of token '\(id)'")
        let waitpoint = try await store.completeToken(id, payload: payload, now: clock.now())
        runChanges.notify(waitpoint.runID)
        workAvailable.notify(0)
        return waitpoint
    }

    /// Completes the waitpoint token `id` with `payload` encoded as JSON.
    @discardableResult
    public func completeToken<Payload: Encodable>(_ id: String, with payload: Payload) async throws -> Waitpoint {
        try await completeToken(id, payload: JSONCoding.encode(payload, what: "the payload of token '\(id)'"))
    }

    /// Sends the event `name` with a JSON `payload` to every run waiting for it now
    /// (``TaskContext/waitForEvent(_:as:timeout:)``).
    /// - Returns: the runs that were waiting and continue with it.
    @discardableResult
    public func sendEvent(_ name: String, payload: Data) async throws -> [RunID] {
        try checkPayloadSize(payload, what: "the payload of event '\(name)'")
        try JSONCoding.validateJSON(payload, what: "the payload of event '\(name)'")
        let woken = try await store.sendEvent(name, payload: payload, now: clock.now())
        for runID in woken { runChanges.notify(runID) }
        if !woken.isEmpty { workAvailable.notify(0) }
        return woken
    }

    /// Sends the event `name` with `payload` encoded as JSON. See ``sendEvent(_:payload:)``.
    @discardableResult
    public func sendEvent<Payload: Encodable>(_ name: String, with payload: Payload) async throws -> [RunID] {
        try await sendEvent(name, payload: JSONCoding.encode(payload, what: "the payload of event '\(name)'"))
    }

    /// The waitpoint (token, event wait, batch) with `id`.
    /// - Throws: ``KeelError/Code/tokenNotFound``.
    public func waitpoint(_ id: String) async throws -> Waitpoint {
        guard let waitpoint = try await store.waitpoint(id) else { throw KeelError(.tokenNotFound, "no waitpoint with id '\(id)'") }
        return waitpoint
    }

    /// Asks the store to make a run wait, unless this engine has (simulated) crashed.
    func awaitWaitpoint(_ waitpoint: Waitpoint, lease: Lease) async throws -> WaitResolution {
        if state.withLock({ $0.crashed }) { throw KeelError(.leaseLost, "the engine stopped (simulated crash)") }
        let resolution = try await store.awaitWaitpoint(waitpoint, lease: lease, now: clock.now())
        runChanges.notify(lease.runID)
        // Suspended, the run is due again at its timeout, a time the claim loop must learn.
        if case .suspended = resolution { workAvailable.notify(0) }
        return resolution
    }
}
