public import Foundation

/// Something a run can wait on without holding a worker: a token completed from outside, a
/// named event, or a batch of child runs. Waitpoints live in the store, so a wait costs a row.
public struct Waitpoint: Sendable, Hashable, Codable {
    /// What completes a waitpoint.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Completed by ``KeelEngine/completeToken(_:payload:)``.
        case token
        /// Completed by ``KeelEngine/sendEvent(_:payload:)`` while the run waits.
        case event
        /// Completed when its last child run settles.
        case children
    }

    /// Where a waitpoint stands.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Not completed yet.
        case pending
        /// Completed; `payload` holds what completed it (tokens and events).
        case completed
        /// Its timeout passed first.
        case timedOut = "timed_out"
    }

    /// Its identifier: a token's id, for tokens.
    public var id: String
    /// The run that waits on it.
    public var runID: RunID
    /// What completes it.
    public var kind: Kind
    /// The event name, for ``Kind/event``.
    public var eventName: String?
    /// Where it stands.
    public var status: Status
    /// The JSON it was completed with (tokens and events).
    public var payload: Data?
    /// Children not settled yet (``Kind/children``).
    public var pendingChildren: Int
    /// When it times out, if ever.
    public var timeoutAt: Date?
    /// When it was created.
    public var createdAt: Date
    /// When it was completed or timed out.
    public var resolvedAt: Date?

    /// Creates a waitpoint description; new ones are ``Status/pending``.
    public init(
        id: String, runID: RunID, kind: Kind, eventName: String? = nil, status: Status = .pending, payload: Data? = nil,
        pendingChildren: Int = 0, timeoutAt: Date? = nil, createdAt: Date, resolvedAt: Date? = nil
    ) {
        self.id = id
        self.runID = runID
        self.kind = kind
        self.eventName = eventName
        self.status = status
        self.payload = payload
        self.pendingChildren = pendingChildren
        self.timeoutAt = timeoutAt
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}

/// What the store answers when a run asks to wait on a waitpoint.
public enum WaitResolution: Sendable {
    /// Not resolved: the run was suspended (lease released, status waiting) until it is.
    case suspended
    /// Completed with this payload (tokens and events).
    case completed(payload: Data?)
    /// The timeout passed first.
    case timedOut
    /// All children settled; here they are in batch order.
    case childrenSettled([RunRecord])
}
