import Foundation
import Hummingbird
import Keel

/// `/tasks`, `/queues` and `/schedules` (with enabling and disabling schedules).
struct OverviewPagesController {
    let dashboard: Dashboard

    /// How many recent finished runs a task's success rate is computed over.
    static let successWindow = 100

    func addRoutes(to router: Router<KeelRequestContext>) {
        router.get("/tasks", use: tasks)
        router.get("/queues", use: queues)
        router.get("/schedules", use: schedules)
        router.post("/schedules/{id}/enable", use: enable)
        router.post("/schedules/{id}/disable", use: disable)
    }

    struct TasksView {
        struct Row {
            var name: String
            var version: String
            var queue: String
            var runsURL: String
            var recentCount: Int
            var recentSummary: String?
            var successRate: String?
            var lastRunAt: String?
        }

        var page: PageChrome
        var tasks: [Row]
        var window: Int
    }

    @Sendable func tasks(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            var rows: [TasksView.Row] = []
            for task in dashboard.engine.tasks.sorted(by: { $0.name < $1.name }) {
                let recent = try await dashboard.engine.listRuns(RunQuery(taskName: task.name, limit: Self.successWindow))
                let completed = recent.filter { $0.status == .completed }.count
                let failed = recent.filter { $0.status == .failed || $0.status == .expired }.count
                var counts: [String: Int] = [:]
                for run in recent { counts[run.status.rawValue, default: 0] += 1 }
                let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                rows.append(.init(
                    name: task.name, version: task.version, queue: task.queue.name, runsURL: "/" + DashboardFormat.query([("task", task.name)]),
                    recentCount: recent.count, recentSummary: summary.isEmpty ? nil : summary,
                    successRate: completed + failed == 0 ? nil : "\(Int((Double(completed) / Double(completed + failed) * 100).rounded()))%",
                    lastRunAt: DashboardFormat.iso(recent.first?.createdAt)
                ))
            }
            let view = TasksView(page: dashboard.chrome("Tasks", section: "Tasks", context), tasks: rows, window: Self.successWindow)
            return DashboardResponse.page(dashboard.renderer.render("tasks", view))
        }
    }

    struct QueuesView {
        struct TaskLink {
            var name: String
            var url: String
        }

        struct Row {
            var name: String
            var queued: Int
            var running: Int
            var waiting: Int
            var parked: Int
            var concurrencyLimit: String
            var perKeyLimit: String
            var rateLimit: String
            var tasks: [TaskLink]
        }

        var page: PageChrome
        var queues: [Row]
    }

    @Sendable func queues(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) {
            let counts = try await dashboard.engine.unfinishedRunCounts()
            var definitions: [String: QueueDefinition] = [dashboard.engine.configuration.queue: QueueDefinition(dashboard.engine.configuration.queue)]
            for queue in dashboard.engine.configuration.queues { definitions[queue.name] = queue }
            for task in dashboard.engine.tasks { definitions[task.queue.name] = task.queue }
            for count in counts where definitions[count.queue] == nil { definitions[count.queue] = QueueDefinition(count.queue) }
            let rows = definitions.keys.sorted().map { name -> QueuesView.Row in
                let queue = definitions[name]!
                func count(_ status: RunStatus) -> Int { counts.filter { $0.queue == name && $0.status == status }.reduce(0) { $0 + $1.count } }
                return QueuesView.Row(
                    name: name, queued: count(.queued), running: count(.running), waiting: count(.waiting), parked: count(.parked),
                    concurrencyLimit: queue.concurrencyLimit.map(String.init) ?? "none", perKeyLimit: queue.concurrencyLimitPerKey.map(String.init) ?? "none",
                    rateLimit: queue.rateLimit.map { "\($0.limit) per \(DashboardFormat.duration(Double($0.period.components.seconds) + Double($0.period.components.attoseconds) / 1e18))" } ?? "none",
                    tasks: dashboard.engine.tasks.filter { $0.queue.name == name }.map { .init(name: $0.name, url: "/" + DashboardFormat.query([("task", $0.name)])) }
                )
            }
            return DashboardResponse.page(dashboard.renderer.render("queues", QueuesView(page: dashboard.chrome("Queues", section: "Queues", context), queues: rows)))
        }
    }

    struct SchedulesView {
        struct Row {
            var id: String
            var task: String
            var runsURL: String
            var cron: String
            var timeZone: String
            var declared: Bool
            var enabled: Bool
            var nextRunAt: String?
            var lastRunAt: String?
            var lastRunID: String?
            var state: String
            var stateClass: String
            var toggleAction: String
            var toggleLabel: String
        }

        var page: PageChrome
        var schedules: [Row]
        var hasSchedules: Bool
        var notice: String?
    }

    @Sendable func schedules(request: Request, context: KeelRequestContext) async throws -> Response {
        await dashboard.page(context) { DashboardResponse.page(try await renderSchedules(context: context, notice: nil)) }
    }

    func renderSchedules(context: KeelRequestContext, notice: String?) async throws -> String {
        let rows = try await dashboard.engine.schedules().map { schedule in
            SchedulesView.Row(
                id: schedule.id, task: schedule.taskName, runsURL: "/" + DashboardFormat.query([("task", schedule.taskName)]),
                cron: schedule.cron.expression, timeZone: schedule.cron.timeZone.identifier, declared: schedule.isDeclared,
                enabled: schedule.isEnabled, nextRunAt: DashboardFormat.iso(schedule.nextFireAt), lastRunAt: DashboardFormat.iso(schedule.lastFireAt),
                lastRunID: schedule.lastRunID?.rawValue, state: schedule.isEnabled ? "enabled" : "disabled",
                stateClass: schedule.isEnabled ? "completed" : "cancelled", toggleAction: schedule.isEnabled ? "disable" : "enable",
                toggleLabel: schedule.isEnabled ? "Disable" : "Enable"
            )
        }
        let view = SchedulesView(page: dashboard.chrome("Schedules", section: "Schedules", context), schedules: rows, hasSchedules: !rows.isEmpty, notice: notice)
        return dashboard.renderer.render("schedules", view)
    }

    @Sendable func enable(request: Request, context: KeelRequestContext) async throws -> Response {
        await toggle(request: request, context: context, enabled: true)
    }

    @Sendable func disable(request: Request, context: KeelRequestContext) async throws -> Response {
        await toggle(request: request, context: context, enabled: false)
    }

    func toggle(request: Request, context: KeelRequestContext, enabled: Bool) async -> Response {
        await dashboard.page(context) {
            try await DashboardForm.read(request, limit: dashboard.bodyLimit).requireCSRF(request, context: context)
            let id = try context.parameters.require("id")
            try await dashboard.engine.setScheduleEnabled(id, enabled)
            return DashboardResponse.redirect(to: "/schedules")
        }
    }
}
