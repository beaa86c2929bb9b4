/// A registered task as the engine describes it to the API, the CLI and the dashboard.
public struct TaskDescription: Sendable, Hashable {
    /// The task's name.
    public var name: String
    /// The version new runs start on.
    public var version: String
    /// The queue its runs wait in, with its limits.
    public var queue: QueueDefinition
}

extension KeelEngine {
    /// The tasks this engine runs, by name.
    public var tasks: [TaskDescription] {
        registry.all.map { task in
            let queueName = task.queue?.name ?? configuration.queue
            return TaskDescription(name: task.name, version: task.version, queue: queues[queueName] ?? QueueDefinition(queueName))
        }
    }

    /// How many runs each queue holds in each unfinished status (queued, running, waiting, parked).
    public func unfinishedRunCounts() async throws -> [RunCount] {
        try await store.unfinishedRunCounts()
    }
}
