import Foundation
import Keel

/// The filters of the runs page, read from its query (or, prefixed `filter.`, from a bulk form):
/// `task`, `status`, `tag`, `from`, `to` (`datetime-local` values, read in the viewer's time zone
/// given by `tz`, minutes behind UTC as JavaScript's `getTimezoneOffset()` says), `q` (a run id
/// or an idempotency key) and `cursor`. Values that do not parse are reported, not fatal.
struct RunFilter {
    var task: String?
    var status: RunStatus?
    var tag: String?
    var from: String?
    var to: String?
    var timeZoneOffsetMinutes: Int?
    var search: String?
    var cursor: RunID?
    /// What did not parse, for the page to show.
    var problems: [String] = []

    static let pageSize = 25

    init(_ value: (String) -> String?) {
        func text(_ name: String) -> String? {
            guard let value = value(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        task = text("task")
        tag = text("tag")
        search = text("q")
        if let status = text("status") {
            if let parsed = RunStatus(rawValue: status) { self.status = parsed } else { problems.append("unknown status '\(status)'") }
        }
        if let offset = text("tz") {
            if let minutes = Int(offset), abs(minutes) <= 24 * 60 { timeZoneOffsetMinutes = minutes } else { problems.append("bad time zone offset '\(offset)'") }
        }
        from = text("from")
        to = text("to")
        if let cursor = text("cursor") {
            if UUID(uuidString: cursor) != nil { self.cursor = RunID(cursor.lowercased()) } else { problems.append("bad cursor '\(cursor)'") }
        }
        for (name, date) in [("from", from), ("to", to)] where date != nil && parseDate(date!) == nil {
            problems.append("'\(name)' is not a date and time: '\(date!)'")
        }
    }

    /// A `datetime-local` value (`2026-12-01T10:00`, seconds optional) in the viewer's zone, or ISO 8601.
    func parseDate(_ text: String) -> Date? {
        if let date = APIJSON.parseDate(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                return date.addingTimeInterval(Double(timeZoneOffsetMinutes ?? 0) * 60)
            }
        }
        return nil
    }

    /// The store query for one page of runs (without the search, which the page resolves itself).
    func query(limit: Int = RunFilter.pageSize) -> RunQuery {
        RunQuery(
            taskName: task, statuses: status.map { [$0] } ?? [], tag: tag,
            createdFrom: from.flatMap(parseDate), createdTo: to.flatMap(parseDate), before: cursor, limit: limit
        )
    }

    /// The filter's fields (no cursor, no search) as name/value pairs.
    var fields: [(name: String, value: String)] {
        [("task", task), ("status", status?.rawValue), ("tag", tag), ("from", from), ("to", to), ("tz", timeZoneOffsetMinutes.map(String.init))]
            .compactMap { name, value in value.map { (name, $0) } }
    }

    /// The runs page with this filter, at `cursor`.
    func url(cursor: RunID? = nil, search: String? = nil) -> String {
        "/" + DashboardFormat.query(fields.map { ($0.name, $0.value) } + [("q", search), ("cursor", cursor?.rawValue)])
    }

    /// Whether any filter is set.
    var isFiltered: Bool { !fields.filter { $0.name != "tz" }.isEmpty }
}
