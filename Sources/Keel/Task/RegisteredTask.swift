import Foundation

/// A task with its types erased, as the engine's registry holds it: JSON in, JSON out.
struct RegisteredTask: Sendable {
    let name: String
    let version: String
    let retryPolicy: RetryPolicy
    let queue: QueueDefinition?
    /// The schedules the task declares, resolved (cron parsed, input encoded).
    let schedules: [Schedule]
    /// The task's `onSuccess` hook over JSON: run id, input, output.
    let onSuccess: (@Sendable (RunID, Data, Data) async throws -> Void)?
    /// The task's `onFailure` hook over JSON: run id, input, error.
    let onFailure: (@Sendable (RunID, Data, RecordedError) async throws -> Void)?
    /// Throws ``KeelError/Code/invalidInput`` if `input` does not decode into the task's `Input`.
    let validateInput: @Sendable (Data) throws -> Void
    /// Decodes the input, runs the body, encodes the output.
    let execute: @Sendable (Data, TaskContext) async throws -> Data

    init<Task: TaskDefinition>(_ task: Task) throws {
        let name = (task as? any InstanceNamedTask)?.taskName ?? Task.name
        self.name = name
        version = (task as? any InstanceNamedTask)?.taskVersion ?? Task.version
        retryPolicy = (task as? any InstanceNamedTask).map(\.taskRetryPolicy) ?? Task.retryPolicy
        queue = Task.queue
        schedules = try Task.schedules.enumerated().map { index, declared in
            let cron: CronExpression
            do {
                cron = try CronExpression(declared.expression, timeZoneIdentifier: declared.timeZone)
            } catch {
                throw KeelError(.invalidConfiguration, "task '\(name)' declares a bad schedule: \(error)")
            }
            return Schedule(
                id: declared.id ?? "\(name)#\(index)", taskName: name, cron: cron,
                input: try JSONCoding.encode(declared.input, what: "the input of a schedule of task '\(name)'"), isDeclared: true
            )
        }
        let hooks = Task.hooks
        if let hook = hooks.onSuccess {
            onSuccess = { @Sendable (runID: RunID, input: Data, output: Data) async throws in
                let typedInput = try JSONCoding.decodeInput(Task.Input.self, from: input, task: name)
                let typedOutput = try JSONCoding.decode(Task.Output.self, from: output, what: "the output of task '\(name)'")
                try await hook(runID, typedInput, typedOutput)
            }
        } else {
            onSuccess = nil
        }
        if let hook = hooks.onFailure {
            onFailure = { @Sendable (runID: RunID, input: Data, error: RecordedError) async throws in
                try await hook(runID, try JSONCoding.decodeInput(Task.Input.self, from: input, task: name), error)
            }
        } else {
            onFailure = nil
        }
        validateInput = { data in _ = try JSONCoding.decodeInput(Task.Input.self, from: data, task: name) }
        execute = { data, context in
            let input = try JSONCoding.decodeInput(Task.Input.self, from: data, task: name)
            let output = try await task.run(input: input, context: context)
            return try JSONCoding.encode(output, what: "the output of task '\(name)'")
        }
    }
}

/// The tasks an engine can run, by name.
struct TaskRegistry: Sendable {
    private let tasks: [String: RegisteredTask]

    init(_ definitions: [any TaskDefinition]) throws {
        var tasks: [String: RegisteredTask] = [:]
        for definition in definitions {
            let registered = try RegisteredTask(definition)
            if tasks[registered.name] != nil {
                throw KeelError(.invalidConfiguration, "two tasks are registered under the name '\(registered.name)'")
            }
            tasks[registered.name] = registered
        }
        self.tasks = tasks
    }

    var names: [String] { tasks.keys.sorted() }

    /// Every registered task.
    var all: [RegisteredTask] { names.compactMap { tasks[$0] } }

    func task(named name: String) throws -> RegisteredTask {
        guard let task = tasks[name] else {
            let known = names.isEmpty ? "none" : names.joined(separator: ", ")
            throw KeelError(.unknownTask, "unknown task '\(name)'; registered: \(known)")
        }
        return task
    }
}
