import Foundation
import Keel
import Logging

/// One line of a run's log.
struct RunLogLineResponse: Encodable {
    var sequence: Int
    var level: String
    var message: String
    var metadata: [String: String]
    var loggedAt: Date

    init(_ line: RunLogLine) {
        sequence = line.sequence
        level = line.level.rawValue
        message = line.message
        metadata = line.metadata
        loggedAt = line.loggedAt
    }
}

/// `{"logs": […]}`: a run's log lines, oldest first.
struct RunLogListResponse: Encodable {
    var logs: [RunLogLineResponse]
}
