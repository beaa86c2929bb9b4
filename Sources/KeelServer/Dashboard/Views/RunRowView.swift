import Foundation
import Keel

/// One row of the runs table.
struct RunRowView {
    var id: String
    var shortID: String
    var task: String
    var status: String
    var createdAt: String
    var startedAt: String?
    var duration: String?
    var attempts: Int
    var tags: [TagView]
    var isActive: Bool

    /// A tag, linked to the runs carrying it.
    struct TagView {
        var name: String
        var url: String
    }

    init(_ record: RunRecord, now: Date) {
        id = record.id.rawValue
        shortID = DashboardFormat.shortID(record.id)
        task = record.taskName
        status = record.status.rawValue
        createdAt = DashboardFormat.iso(record.createdAt)
        startedAt = DashboardFormat.iso(record.startedAt)
        let active = !record.status.isTerminal && record.status != .parked
        isActive = active
        duration = record.startedAt.map { DashboardFormat.duration(from: $0, to: record.finishedAt ?? (active ? now : record.updatedAt)) }
        attempts = record.attempt
        tags = record.tags.map { TagView(name: $0, url: "/" + DashboardFormat.query([("tag", $0)])) }
    }
}
