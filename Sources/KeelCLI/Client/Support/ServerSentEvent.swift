/// One event of a `text/event-stream` response: its type, data and id.
struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field; `message` when the event has none.
    var event: String
    /// The `data:` lines, joined with line breaks.
    var data: String
    /// The last `id:` seen on the stream so far, if any.
    var id: String?

    /// Creates an event.
    init(event: String = "message", data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}
