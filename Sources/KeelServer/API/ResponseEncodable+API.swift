import Hummingbird

// The API's response bodies, encoded with the context's `APIJSONEncoder`.
extension TriggerResponse: ResponseEncodable {}
extension BatchTriggerResponse: ResponseEncodable {}
extension RunSummaryResponse: ResponseEncodable {}
extension RunResponse: ResponseEncodable {}
extension RunListResponse: ResponseEncodable {}
extension RunLogListResponse: ResponseEncodable {}
extension TaskListResponse: ResponseEncodable {}
extension TokenResponse: ResponseEncodable {}
extension EventResponse: ResponseEncodable {}
extension ScheduleResponse: ResponseEncodable {}
extension ScheduleListResponse: ResponseEncodable {}
