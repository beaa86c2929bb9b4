import Foundation
import Hummingbird
import Keel

/// `/api/v1/schedules`: cron schedules, declared by tasks or created at runtime.
struct SchedulesController {
    let engine: KeelEngine
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<KeelRequestContext>) {
        group.get("schedules", use: list)
        group.post("schedules", use: create)
        group.delete("schedules/{id}", use: delete)
        group.post("schedules/{id}/enable", use: enable)
        group.post("schedules/{id}/disable", use: disable)
    }

    @Sendable func enable(request: Request, context: KeelRequestContext) async throws -> ScheduleResponse {
        ScheduleResponse(try await engine.setScheduleEnabled(try context.parameters.require("id"), true))
    }

    @Sendable func disable(request: Request, context: KeelRequestContext) async throws -> ScheduleResponse {
        ScheduleResponse(try await engine.setScheduleEnabled(try context.parameters.require("id"), false))
    }

    @Sendable func list(request: Request, context: KeelRequestContext) async throws -> ScheduleListResponse {
        ScheduleListResponse(schedules: try await engine.schedules().map(ScheduleResponse.init))
    }

    @Sendable func create(request: Request, context: KeelRequestContext) async throws -> EditedResponse<ScheduleResponse> {
        let body = try await request.decodeJSON(as: CreateScheduleRequest.self, limit: bodyLimit)
        let schedule = try await engine.createSchedule(
            id: body.id, taskName: body.task, cron: body.cron, timeZone: body.timeZone ?? "UTC",
            input: try APIJSON.encode(body.input ?? .object([:]))
        )
        return EditedResponse(status: .created, response: ScheduleResponse(schedule))
    }

    @Sendable func delete(request: Request, context: KeelRequestContext) async throws -> HTTPResponse.Status {
        try await engine.deleteSchedule(try context.pathParameter("id"))
        return .noContent
    }
}
