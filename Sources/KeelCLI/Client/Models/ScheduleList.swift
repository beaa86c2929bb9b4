/// `GET /api/v1/schedules`.
struct ScheduleList: Decodable, Sendable {
    /// The schedules.
    var schedules: [ScheduleInfo]
}
