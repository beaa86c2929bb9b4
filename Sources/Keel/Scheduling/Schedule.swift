public import Foundation

/// A cron schedule: triggers its task with a fixed input at every tick of a cron expression.
///
/// Schedules live in the store. Every engine that runs the task checks them, and each tick
/// creates exactly one run however many engines share the store (the tick is claimed with a
/// compare-and-set on `nextFireAt`). Ticks missed while no engine ran are not made up: the
/// schedule fires once, at the next tick after it is seen again (as Trigger.dev does).
public struct Schedule: Sendable, Hashable, Codable {
    /// The schedule's id: given when created at runtime, derived from the task for declared ones.
    public var id: String
    /// The task it triggers.
    public var taskName: String
    /// When it fires.
    public var cron: CronExpression
    /// The input of each run, as JSON.
    public var input: Data
    /// Whether it was declared by a task (``TaskDefinition/schedules``) rather than created at runtime.
    public var isDeclared: Bool
    /// Whether its ticks create runs; a disabled schedule keeps its settings and fires again
    /// from the first tick after it is enabled.
    public var isEnabled: Bool
    /// The next tick, if any.
    public var nextFireAt: Date?
    /// The last tick that created a run.
    public var lastFireAt: Date?
    /// The run the last tick created.
    public var lastRunID: RunID?

    /// Creates a schedule description.
    public init(
        id: String, taskName: String, cron: CronExpression, input: Data, isDeclared: Bool = false,
        nextFireAt: Date? = nil, lastFireAt: Date? = nil, lastRunID: RunID? = nil, isEnabled: Bool = true
    ) {
        self.isEnabled = isEnabled
        self.id = id
        self.taskName = taskName
        self.cron = cron
        self.input = input
        self.isDeclared = isDeclared
        self.nextFireAt = nextFireAt
        self.lastFireAt = lastFireAt
        self.lastRunID = lastRunID
    }
}

/// A schedule a task declares for itself (``TaskDefinition/schedules``).
///
/// ```swift
/// static var schedules: [CronSchedule<Input>] { [CronSchedule("0 9 * * MON-FRI", timeZone: "Europe/Paris", input: .init(kind: .daily))] }
/// ```
public struct CronSchedule<Input: Sendable>: Sendable {
    /// The cron expression (5 fields or a macro such as `@hourly`).
    public var expression: String
    /// The IANA time zone the expression is read in.
    public var timeZone: String
    /// The input of each run.
    public var input: Input
    /// A stable id; `nil` derives one from the task name and the schedule's index.
    public var id: String?

    /// Creates a declared schedule.
    public init(_ expression: String, timeZone: String = "UTC", input: Input, id: String? = nil) {
        self.expression = expression
        self.timeZone = timeZone
        self.input = input
        self.id = id
    }
}
