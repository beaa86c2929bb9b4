import Foundation

/// Follows a run's event stream (`GET /api/v1/runs/{id}/events`) until its `end` event.
struct RunFollower: Sendable {
    /// The client to follow with.
    var client: KeelAPIClient
    /// The run.
    var runID: String

    /// Follows the stream, handing every event to `onEvent`.
    /// - Returns: the run as the `end` event reports it.
    /// - Throws: ``ClientError`` when the stream closes before `end`, or what `onEvent` throws.
    func follow(onEvent: (ServerSentEvent) async throws -> Void) async throws -> RunSummary {
        var end: RunSummary?
        let stopped = try await client.followEvents("/api/v1/runs/\(PercentEncoding.encode(runID))/events") { event in
            try await onEvent(event)
            guard event.event == "end" else { return false }
            do {
                end = try JSONDecoder().decode(RunSummary.self, from: Data(event.data.utf8))
            } catch {
                throw ClientError("unexpected 'end' event from the server: \(APIResponse.describe(error))")
            }
            return true
        }
        guard stopped, let end else { throw ClientError("the event stream of run \(runID) closed before the run ended") }
        return end
    }

    /// The line told on standard error when a followed run did not complete, such as
    /// `run 01JD… failed: AbortRunError: count must be between 1 and 1000`.
    static func failureMessage(_ run: RunSummary) -> String {
        var message = "run \(run.id) \(run.status)"
        if let error = run.error { message += ": \(error.description)" }
        return message
    }
}
