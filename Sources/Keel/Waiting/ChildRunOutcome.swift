import Foundation

/// How a child run ended, as its parent's journal records it.
public struct ChildRunOutcome: Sendable, Hashable, Codable {
    /// The child's id.
    public var id: RunID
    /// Its final status: completed, failed, cancelled or expired.
    public var status: RunStatus
    /// Its output as JSON text, when it completed.
    public var output: String?
    /// Its error, when it did not complete.
    public var error: RecordedError?

    init(_ record: RunRecord) {
        id = record.id
        status = record.status
        output = record.output.map { String(decoding: $0, as: UTF8.self) }
        error = record.error
    }
}

/// A child run the parent waited for did not complete (it failed, was cancelled or expired).
public struct ChildRunFailedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The child's id.
    public var childID: RunID
    /// The child's final status.
    public var status: RunStatus
    /// The child's error.
    public var error: RecordedError?

    /// Creates the error.
    public init(childID: RunID, status: RunStatus, error: RecordedError?) {
        self.childID = childID
        self.status = status
        self.error = error
    }

    public var description: String {
        "child run \(childID) \(status)" + (error.map { ": \($0.message)" } ?? "")
    }
}

/// What a parent's journal records when it triggers children.
struct ChildrenTriggered: Codable, Sendable {
    var ids: [RunID]
    /// The waitpoint the children settle, when the parent waits for them.
    var waitpointID: String?
}
