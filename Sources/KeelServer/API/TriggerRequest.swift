import Foundation
import Keel

/// The body of `POST /api/v1/tasks/{task}/trigger`: `{"input": …, "options": {…}}`.
struct TriggerRequest: Decodable {
    var input: JSONValue?
    var options: TriggerOptionsRequest?
}

/// The body of `POST /api/v1/tasks/{task}/batch`: `{"items": [{"input": …, "options": {…}}]}`.
struct BatchTriggerRequest: Decodable {
    var items: [TriggerRequest]
}

/// Trigger options as the API takes them; durations as seconds or strings with a unit.
struct TriggerOptionsRequest: Decodable {
    struct Debounce: Decodable {
        var key: String
        var delay: APIDuration
    }

    var idempotencyKey: String?
    var idempotencyKeyTTL: APIDuration?
    var delay: APIDuration?
    var startAt: Date?
    var queue: String?
    var concurrencyKey: String?
    var priority: APIDuration?
    var tags: [String]?
    var ttl: APIDuration?
    var debounce: Debounce?

    var triggerOptions: TriggerOptions {
        TriggerOptions(
            delay: delay?.duration, startAt: startAt, queue: queue, concurrencyKey: concurrencyKey, priority: priority?.duration,
            tags: tags ?? [], timeToLive: ttl?.duration, idempotencyKey: idempotencyKey, idempotencyKeyTTL: idempotencyKeyTTL?.duration,
            debounce: debounce.map { TriggerOptions.Debounce(key: $0.key, delay: $0.delay.duration) }
        )
    }
}

/// `{"id": …}`: the run a trigger created (or found, for an idempotency key).
struct TriggerResponse: Encodable {
    var id: String
}

/// `{"ids": […]}`: the runs of a batch, in input order.
struct BatchTriggerResponse: Encodable {
    var ids: [String]
}

/// The body of a token completion or an event: `{"payload": …}`.
struct PayloadRequest: Decodable {
    var payload: JSONValue?
}
