import Foundation
import Keel

/// A run in a list: everything but its input, output and journal.
struct RunSummaryResponse: Encodable {
    var id: String
    var task: String
    var version: String
    var queue: String
    var status: String
    var attempt: Int
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var updatedAt: Date
    var tags: [String]
    var parentId: String?
    var idempotencyKey: String?
    var concurrencyKey: String?
    var scheduleId: String?
    var error: ErrorResponse?

    init(_ record: RunRecord) {
        id = record.id.rawValue
        task = record.taskName
        version = record.taskVersion
        queue = record.queue
        status = record.status.rawValue
        attempt = record.attempt
        createdAt = record.createdAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        updatedAt = record.updatedAt
        tags = record.tags
        parentId = record.parentID?.rawValue
        idempotencyKey = record.idempotencyKey
        concurrencyKey = record.concurrencyKey
        scheduleId = record.scheduleID
        error = record.error.map(ErrorResponse.init)
    }
}

/// A run with its input, output and journal.
struct RunResponse: Encodable {
    var summary: RunSummaryResponse
    var input: JSONValue?
    var output: JSONValue?
    var journal: [JournalEntryResponse]

    init(_ record: RunRecord, journal: [JournalEntry]) {
        summary = RunSummaryResponse(record)
        input = APIJSON.embed(record.input)
        output = APIJSON.embed(record.output)
        self.journal = journal.map(JournalEntryResponse.init)
    }

    private enum CodingKeys: String, CodingKey { case input, output, journal }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(output, forKey: .output)
        try container.encode(journal, forKey: .journal)
    }
}

/// A recorded error: its Swift type and message.
struct ErrorResponse: Encodable {
    var type: String
    var message: String
    var retryable: Bool

    init(_ error: RecordedError) {
        type = error.type
        message = error.message
        retryable = error.isRetryable
    }
}

/// One journal entry.
struct JournalEntryResponse: Encodable {
    var sequence: Int
    var position: Int?
    var kind: String
    var name: String
    var attempt: Int
    var payload: JSONValue?
    var error: ErrorResponse?
    var startedAt: Date?
    var wakeAt: Date?
    var recordedAt: Date

    init(_ entry: JournalEntry) {
        sequence = entry.sequence
        position = entry.position
        kind = entry.kind.rawValue
        name = entry.name
        attempt = entry.attempt
        payload = APIJSON.embed(entry.payload)
        error = entry.error.map(ErrorResponse.init)
        startedAt = entry.startedAt
        wakeAt = entry.wakeAt
        recordedAt = entry.recordedAt
    }
}

/// A page of runs, newest first, with the cursor of the next page.
struct RunListResponse: Encodable {
    var runs: [RunSummaryResponse]
    var nextCursor: String?

    private enum CodingKeys: String, CodingKey { case runs, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runs, forKey: .runs)
        try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, not absent
    }
}
