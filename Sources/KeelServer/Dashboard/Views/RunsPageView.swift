import Foundation
import Keel

/// The runs page: filters, the table, paging, bulk actions.
struct RunsPageView {
    struct Option {
        var name: String
        var selected: Bool
    }

    struct Field {
        var name: String
        var value: String
    }

    struct Filters {
        var q: String
        var tasks: [Option]
        var statuses: [Option]
        var tag: String
        var from: String
        var to: String
        var tz: String
        var fields: [Field]
    }

    var page: PageChrome
    var filters: Filters
    var runs: [RunRowView]
    var notice: String?
    var error: String?
    var liveURL: String?
    var firstPageURL: String?
    var nextPageURL: String?

    init(page: PageChrome, filter: RunFilter, taskNames: [String], runs: [RunRowView], hasMore: Bool, lastID: RunID?, notice: String?, error: String?, liveSince: Date) {
        self.page = page
        filters = Filters(
            q: filter.search ?? "",
            tasks: taskNames.map { Option(name: $0, selected: $0 == filter.task) },
            statuses: RunStatus.allCases.map { Option(name: $0.rawValue, selected: $0 == filter.status) },
            tag: filter.tag ?? "", from: filter.from ?? "", to: filter.to ?? "",
            tz: filter.timeZoneOffsetMinutes.map(String.init) ?? "",
            fields: filter.fields.map { Field(name: $0.name, value: $0.value) }
        )
        self.runs = runs
        self.notice = notice
        self.error = error
        let live = filter.cursor == nil && filter.search == nil
        liveURL = live ? "/live/runs" + DashboardFormat.query(filter.fields.map { ($0.name, $0.value) } + [("since", String(Int64(liveSince.timeIntervalSince1970 * 1000)))]) : nil
        firstPageURL = filter.cursor == nil ? nil : filter.url()
        nextPageURL = hasMore && filter.search == nil ? lastID.map { filter.url(cursor: $0) } : nil
    }
}
