import Foundation
import Hummingbird
import Keel

/// `/api/v1/tasks`: the registered tasks, and triggering them.
struct TasksController {
    let engine: KeelEngine
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<KeelRequestContext>) {
        group.get("tasks", use: list)
        group.post("tasks/{task}/trigger", use: trigger)
        group.post("tasks/{task}/batch", use: batch)
    }

    @Sendable func list(request: Request, context: KeelRequestContext) async throws -> TaskListResponse {
        TaskListResponse(tasks: engine.tasks.map(TaskResponse.init))
    }

    @Sendable func trigger(request: Request, context: KeelRequestContext) async throws -> TriggerResponse {
        let task = try context.pathParameter("task")
        let body = try await request.decodeJSON(as: TriggerRequest.self, limit: bodyLimit)
        let id = try await engine.trigger(taskName: task, input: try Self.inputData(body.input), options: body.options?.triggerOptions ?? .init())
        return TriggerResponse(id: id.rawValue)
    }

    @Sendable func batch(request: Request, context: KeelRequestContext) async throws -> BatchTriggerResponse {
        let task = try context.pathParameter("task")
        let body = try await request.decodeJSON(as: BatchTriggerRequest.self, limit: bodyLimit)
        guard !body.items.isEmpty else { throw APIError(.unprocessableContent, code: "invalidInput", "a batch needs at least one item") }
        let items = try body.items.map { item in
            (input: try Self.inputData(item.input), options: item.options?.triggerOptions ?? TriggerOptions())
        }
        let ids = try await engine.batchTrigger(taskName: task, items: items)
        return BatchTriggerResponse(ids: ids.map(\.rawValue))
    }

    /// The JSON the engine gets for an input; an absent input is `{}`.
    static func inputData(_ input: JSONValue?) throws -> Data {
        try APIJSON.encode(input ?? .object([:]))
    }
}
