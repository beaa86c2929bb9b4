import Foundation
import Keel

/// A registered task.
struct TaskResponse: Encodable {
    var name: String
    var version: String
    var queue: String
    var concurrencyLimit: Int?
    var concurrencyLimitPerKey: Int?

    init(_ task: TaskDescription) {
        name = task.name
        version = task.version
        queue = task.queue.name
        concurrencyLimit = task.queue.concurrencyLimit
        concurrencyLimitPerKey = task.queue.concurrencyLimitPerKey
    }
}

/// `{"tasks": […]}`.
struct TaskListResponse: Encodable {
    var tasks: [TaskResponse]
}

/// A waitpoint token after completion.
struct TokenResponse: Encodable {
    var id: String
    var runId: String
    var status: String
    var timeoutAt: Date?

    init(_ waitpoint: Waitpoint) {
        id = waitpoint.id
        runId = waitpoint.runID.rawValue
        status = waitpoint.status.rawValue
        timeoutAt = waitpoint.timeoutAt
    }
}

/// `{"runs": […]}`: the runs an event reached.
struct EventResponse: Encodable {
    var runs: [String]
}

/// A cron schedule.
struct ScheduleResponse: Encodable {
    var id: String
    var task: String
    var cron: String
    var timeZone: String
    var input: JSONValue?
    var declared: Bool
    var enabled: Bool
    var nextRunAt: Date?
    var lastRunAt: Date?
    var lastRunId: String?

    init(_ schedule: Schedule) {
        id = schedule.id
        task = schedule.taskName
        cron = schedule.cron.expression
        timeZone = schedule.cron.timeZone.identifier
        input = APIJSON.embed(schedule.input)
        declared = schedule.isDeclared
        enabled = schedule.isEnabled
        nextRunAt = schedule.nextFireAt
        lastRunAt = schedule.lastFireAt
        lastRunId = schedule.lastRunID?.rawValue
    }
}

/// `{"schedules": […]}`.
struct ScheduleListResponse: Encodable {
    var schedules: [ScheduleResponse]
}

/// The body of `POST /api/v1/schedules`.
struct CreateScheduleRequest: Decodable {
    var id: String
    var task: String
    var cron: String
    var timeZone: String?
    var input: JSONValue?
}
