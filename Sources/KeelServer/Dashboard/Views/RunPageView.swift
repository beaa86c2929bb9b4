import Foundation
import Keel
import Logging

/// Everything the run page shows: header, timeline, journal, logs, tokens to complete, re-run editor.
struct RunPageView {
    struct Link {
        var id: String
        var shortID: String
        var task: String
        var status: String
    }

    struct ErrorView {
        var type: String
        var message: String
        /// What led to it, newest first: the errors of the failed step attempts and run attempts.
        var causes: [String]
        var hasCauses: Bool
    }

    struct PendingToken {
        var id: String
        var timeoutAt: String?
    }

    var page: PageChrome
    var id: String
    /// The run's id under a name no nested section shadows.
    var runID: String
    var shortID: String
    var task: String
    var version: String
    var queue: String
    var status: String
    var attempt: Int
    var tags: [String]
    var idempotencyKey: String?
    var createdAt: String
    var startedAt: String?
    var finishedAt: String?
    var updatedAt: String
    var duration: String?
    var isActive: Bool
    var canCancel: Bool
    var canResume: Bool
    var inputJSON: String
    var outputJSON: String?
    var error: ErrorView?
    var parent: Link?
    var children: [Link]
    var hasChildren: Bool
    var timelineSVG: String
    var journal: [JournalRowView]
    var logs: [LogRowView]
    var hasLogs: Bool
    var tokens: [PendingToken]
    var hasTokens: Bool
    var rerunInput: String
    var rerunError: String?
    var tokenError: String?
    var notice: String?
    var liveURL: String
    var panelURL: String

    init(
        page: PageChrome, record: RunRecord, journal: [JournalEntry], logs: [RunLogLine], parent: RunRecord?, children: [RunRecord],
        pendingTokens: [WaitToken], now: Date
    ) {
        self.page = page
        id = record.id.rawValue
        runID = record.id.rawValue
        shortID = DashboardFormat.shortID(record.id)
        task = record.taskName
        version = record.taskVersion
        queue = record.queue
        status = record.status.rawValue
        attempt = record.attempt
        tags = record.tags
        idempotencyKey = record.idempotencyKey
        createdAt = DashboardFormat.iso(record.createdAt)
        startedAt = DashboardFormat.iso(record.startedAt)
        finishedAt = DashboardFormat.iso(record.finishedAt)
        updatedAt = DashboardFormat.iso(record.updatedAt)
        let active = !record.status.isTerminal && record.status != .parked
        isActive = active
        duration = record.startedAt.map { DashboardFormat.duration(from: $0, to: record.finishedAt ?? (active ? now : record.updatedAt)) }
        canCancel = !record.status.isTerminal
        canResume = record.status == .parked
        inputJSON = DashboardFormat.prettyJSON(record.input)
        outputJSON = record.output.map { DashboardFormat.prettyJSON($0) }
        if let recorded = record.error {
            var causes: [String] = []
            for entry in journal.reversed() {
                guard let error = entry.error, [.stepFailed, .stepAttemptFailed, .runRetried, .waitTimedOut].contains(entry.kind) else { continue }
                let line = "\(entry.kind.rawValue) '\(entry.name)' (attempt \(entry.attempt)): \(error.type): \(error.message)"
                if !causes.contains(line) { causes.append(line) }
            }
            error = ErrorView(type: recorded.type, message: recorded.message, causes: causes, hasCauses: !causes.isEmpty)
        }
        self.parent = parent.map(Self.link)
        self.children = children.map(Self.link)
        hasChildren = !children.isEmpty
        timelineSVG = RunTimeline(record: record, journal: journal, children: children, now: now).svg
        self.journal = journal.map(JournalRowView.init)
        self.logs = logs.map(LogRowView.init)
        hasLogs = !logs.isEmpty
        tokens = active ? pendingTokens.map { PendingToken(id: $0.id, timeoutAt: DashboardFormat.iso($0.timeoutAt)) } : []
        hasTokens = !tokens.isEmpty
        rerunInput = inputJSON
        liveURL = "/runs/\(record.id.rawValue)/live"
        panelURL = "/runs/\(record.id.rawValue)/panel"
    }

    static func link(_ record: RunRecord) -> Link {
        Link(id: record.id.rawValue, shortID: DashboardFormat.shortID(record.id), task: record.taskName, status: record.status.rawValue)
    }
}

/// One journal entry in the journal table; its recorded JSON shows when it is clicked.
struct JournalRowView {
    var sequence: Int
    var position: String
    var kind: String
    var name: String
    var attempt: Int
    var attemptLabel: String?
    var status: String
    var statusClass: String
    var duration: String?
    var recordedAt: String
    var json: String

    init(_ entry: JournalEntry) {
        sequence = entry.sequence
        position = entry.position.map(String.init) ?? "—"
        kind = entry.kind.rawValue
        name = entry.name
        attempt = entry.attempt
        attemptLabel = entry.attempt > 1 ? "attempt \(entry.attempt)" : nil
        (status, statusClass) =
            switch entry.kind {
            case .stepCompleted: ("completed", "completed")
            case .stepFailed: ("failed", "failed")
            case .stepAttemptFailed: ("attempt failed, retrying", "failed")
            case .sleep: ("slept", "waiting")
            case .waitCompleted: ("wait completed", "completed")
            case .waitTimedOut: ("timed out", "failed")
            case .tokenCreated, .childrenTriggered: ("created", "queued")
            case .runRetried: ("run retried", "failed")
            case .runCancelled: ("cancelled", "cancelled")
            case .runExpired: ("expired", "expired")
            default: ("recorded", "queued")
            }
        if let startedAt = entry.startedAt {
            duration = DashboardFormat.duration(from: startedAt, to: entry.recordedAt)
        } else if entry.kind == .sleep, let wakeAt = entry.wakeAt {
            duration = DashboardFormat.duration(from: entry.recordedAt, to: wakeAt)
        } else {
            duration = nil
        }
        recordedAt = DashboardFormat.iso(entry.recordedAt)
        json = DashboardFormat.prettyJSON(encoding: JournalEntryResponse(entry))
    }
}

/// One line of a run's log.
struct LogRowView {
    var sequence: Int
    var level: String
    var message: String
    var metadata: String
    var loggedAt: String

    init(_ line: RunLogLine) {
        sequence = line.sequence
        level = line.level.rawValue
        message = line.message
        metadata = line.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        loggedAt = DashboardFormat.iso(line.loggedAt)
    }
}
