import Foundation
import Metrics

/// The engine's metrics, made once per task when the engine starts so the hot path only
/// increments: `keel.runs.started`, `keel.runs.completed`, `keel.runs.failed` (counters) and
/// `keel.step.duration` (a timer), each with a `task` dimension.
struct EngineMetrics: Sendable {
    struct TaskMetrics: Sendable {
        let started: Counter
        let completed: Counter
        let failed: Counter
        let stepDuration: Metrics.Timer
    }

    private let tasks: [String: TaskMetrics]

    init(taskNames: [String], factory: any MetricsFactory) {
        var tasks: [String: TaskMetrics] = [:]
        for name in taskNames {
            let dimensions = [("task", name)]
            tasks[name] = TaskMetrics(
                started: Counter(label: "keel.runs.started", dimensions: dimensions, factory: factory),
                completed: Counter(label: "keel.runs.completed", dimensions: dimensions, factory: factory),
                failed: Counter(label: "keel.runs.failed", dimensions: dimensions, factory: factory),
                stepDuration: Metrics.Timer(label: "keel.step.duration", dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
            )
        }
        self.tasks = tasks
    }

    func runStarted(task: String) { tasks[task]?.started.increment() }
    func runCompleted(task: String) { tasks[task]?.completed.increment() }
    func runFailed(task: String) { tasks[task]?.failed.increment() }
    func stepCompleted(task: String, startedAt: Date, now: Date) {
        tasks[task]?.stepDuration.recordNanoseconds(Int64(max(0, now.timeIntervalSince(startedAt)) * 1_000_000_000))
    }
}

