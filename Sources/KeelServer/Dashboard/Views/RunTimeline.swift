import Foundation
import Keel

/// A run's timeline as a Gantt chart in SVG: one row per durable call (a step with its failed
/// attempts in red, the backoff before each retry hatched, the success in green; sleeps and
/// waits as dashed gaps labelled with what the run waited for) and one row per child run,
/// linked to its page. Drawn on the server; the page's CSS colours it for light and dark mode.
struct RunTimeline {
    enum Kind: String {
        case ok, failed, backoff, wait, running, queued, marker, cancelled
    }

    struct Segment {
        var start: Date
        var end: Date
        var kind: Kind
        var title: String
    }

    struct Row {
        var label: String
        var link: String?
        var segments: [Segment]
        var note: String
    }

    var rows: [Row] = []
    let origin: Date
    let end: Date

    /// The most rows drawn; a longer journal ends with a row saying how many were left out.
    static let maximumRows = 150

    init(record: RunRecord, journal: [JournalEntry], children: [RunRecord], now: Date) {
        origin = record.createdAt
        let active = !record.status.isTerminal && record.status != .parked
        let runEnd = record.finishedAt ?? (active ? now : record.updatedAt)
        var latest = runEnd

        // The run itself: queued, then executing, coloured by its status.
        var runRow = Row(label: "run", link: nil, segments: [], note: record.status.rawValue)
        let started = record.startedAt ?? runEnd
        if started.timeIntervalSince(record.createdAt) > 0.001 {
            runRow.segments.append(Segment(start: record.createdAt, end: started, kind: .queued, title: "queued for \(DashboardFormat.duration(from: record.createdAt, to: started))"))
        }
        if record.startedAt != nil {
            runRow.segments.append(Segment(start: started, end: runEnd, kind: Self.kind(of: record.status), title: "\(record.status.rawValue), \(DashboardFormat.duration(from: started, to: runEnd))"))
        }
        var cursor = record.startedAt ?? record.createdAt
        var callRows: [Row] = []
        var pendingWait: String?
        let positioned = Dictionary(grouping: journal.filter { $0.position != nil }, by: { $0.position! })
        for position in positioned.keys.sorted() {
            let entries = positioned[position]!.sorted { $0.sequence < $1.sequence }
            guard let first = entries.first else { continue }
            var row = Row(label: first.name, link: nil, segments: [], note: "")
            for entry in entries {
                switch entry.kind {
                case .stepAttemptFailed:
                    let start = entry.startedAt ?? cursor
                    row.segments.append(Segment(start: start, end: entry.recordedAt, kind: .failed, title: "attempt \(entry.attempt) failed after \(DashboardFormat.duration(from: start, to: entry.recordedAt)): \(entry.error?.message ?? "")"))
                    let retryAt = entry.wakeAt ?? entry.recordedAt
                    row.segments.append(Segment(start: entry.recordedAt, end: retryAt, kind: .backoff, title: "backoff \(DashboardFormat.duration(from: entry.recordedAt, to: retryAt)) before attempt \(entry.attempt + 1)"))
                    cursor = retryAt
                    row.note = "attempt \(entry.attempt) failed"
                case .stepCompleted, .stepFailed:
                    let start = entry.startedAt ?? cursor
                    let failed = entry.kind == .stepFailed
                    row.segments.append(Segment(start: start, end: entry.recordedAt, kind: failed ? .failed : .ok, title: "\(failed ? "failed" : "completed") in \(DashboardFormat.duration(from: start, to: entry.recordedAt))" + (entry.attempt > 1 ? " (attempt \(entry.attempt))" : "")))
                    row.note = DashboardFormat.duration(from: start, to: entry.recordedAt) + (failed ? " failed" : "")
                    cursor = entry.recordedAt
                case .sleep:
                    let wake = entry.wakeAt ?? entry.recordedAt
                    let until = active && wake > now ? now : wake
                    row.label = "sleep"
                    row.segments.append(Segment(start: entry.recordedAt, end: max(until, entry.recordedAt), kind: .wait, title: "sleep of \(DashboardFormat.duration(from: entry.recordedAt, to: wake))"))
                    row.note = "sleep \(DashboardFormat.duration(from: entry.recordedAt, to: wake))"
                    latest = max(latest, until)
                    cursor = wake
                case .tokenCreated:
                    let token = (try? APIJSON.decoder().decode(WaitToken.self, from: entry.payload ?? Data())).map(\.id) ?? "token"
                    row.label = "token created"
                    row.segments.append(Segment(start: entry.recordedAt, end: entry.recordedAt, kind: .marker, title: "created token \(token)"))
                    row.note = token
                    pendingWait = "token \(token)"
                    cursor = entry.recordedAt
                case .childrenTriggered:
                    row.label = "trigger \(entry.name)"
                    row.segments.append(Segment(start: entry.recordedAt, end: entry.recordedAt, kind: .marker, title: "triggered \(entry.name)"))
                    row.note = "children"
                    pendingWait = "children (\(entry.name))"
                    cursor = entry.recordedAt
                case .waitCompleted, .waitTimedOut:
                    let timedOut = entry.kind == .waitTimedOut
                    row.label = "wait"
                    row.segments.append(Segment(start: cursor, end: entry.recordedAt, kind: .wait, title: "waited \(DashboardFormat.duration(from: cursor, to: entry.recordedAt)) for \(entry.name)" + (timedOut ? ", timed out" : "")))
                    row.note = "waited for \(entry.name)" + (timedOut ? " (timed out)" : "")
                    pendingWait = nil
                    cursor = entry.recordedAt
                default:
                    cursor = max(cursor, entry.recordedAt)
                }
            }
            if !row.segments.isEmpty { callRows.append(row) }
        }
        for entry in journal where entry.position == nil {
            switch entry.kind {
            case .runRetried:
                let retryAt = entry.wakeAt ?? entry.recordedAt
                runRow.segments.append(Segment(start: entry.recordedAt, end: entry.recordedAt, kind: .marker, title: "attempt \(entry.attempt) of the run failed: \(entry.error?.message ?? "")"))
                runRow.segments.append(Segment(start: entry.recordedAt, end: retryAt, kind: .backoff, title: "backoff before run attempt \(entry.attempt + 1)"))
            case .runCancelled, .runExpired:
                runRow.segments.append(Segment(start: entry.recordedAt, end: entry.recordedAt, kind: .cancelled, title: entry.kind.rawValue))
            default:
                break
            }
        }
        if active {
            if record.status == .waiting, let pendingWait {
                callRows.append(Row(label: "wait", link: nil, segments: [Segment(start: cursor, end: now, kind: .wait, title: "waiting for \(pendingWait)")], note: "waiting for \(pendingWait)"))
            } else if record.status == .running, cursor < now {
                callRows.append(Row(label: "running", link: nil, segments: [Segment(start: cursor, end: now, kind: .running, title: "running since the last checkpoint")], note: "running"))
            }
        }
        var childRows: [Row] = []
        for child in children {
            let start = child.startedAt ?? child.createdAt
            let childActive = !child.status.isTerminal && child.status != .parked
            let finish = child.finishedAt ?? (childActive ? now : child.updatedAt)
            latest = max(latest, finish)
            childRows.append(Row(
                label: "↳ \(child.taskName)", link: "/runs/\(child.id.rawValue)",
                segments: [Segment(start: start, end: finish, kind: Self.kind(of: child.status), title: "child \(child.id.rawValue): \(child.status.rawValue)")],
                note: child.status.rawValue
            ))
        }
        rows = [runRow] + callRows + childRows
        if rows.count > Self.maximumRows {
            let hidden = rows.count - Self.maximumRows + 1
            rows = Array(rows.prefix(Self.maximumRows - 1)) + [Row(label: "… \(hidden) more rows", link: nil, segments: [], note: "see the journal")]
        }
        for row in rows { for segment in row.segments { latest = max(latest, segment.end) } }
        end = max(latest, origin.addingTimeInterval(0.001))
    }

    static func kind(of status: RunStatus) -> Kind {
        switch status {
        case .completed: .ok
        case .failed, .parked, .expired: .failed
        case .cancelled: .cancelled
        case .queued: .queued
        case .waiting: .wait
        default: .running
        }
    }

    // MARK: Drawing

    static let width = 1000.0
    static let labelWidth = 190.0
    static let noteWidth = 150.0
    static let rowHeight = 24.0
    static let top = 30.0

    func x(_ date: Date) -> Double {
        let span = max(end.timeIntervalSince(origin), 0.001)
        return Self.labelWidth + date.timeIntervalSince(origin) / span * (Self.width - Self.labelWidth - Self.noteWidth)
    }

    /// The chart as an `<svg>` element.
    var svg: String {
        let height = Self.top + Double(rows.count) * Self.rowHeight + 8
        var out = #"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(Int(Self.width)) \#(Int(height))" role="img" aria-label="Timeline of the run">"#
        out += #"<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect class="hatch-stripe" width="3" height="6"/></pattern></defs>"#
        let span = end.timeIntervalSince(origin)
        for index in 0...4 {
            let fraction = Double(index) / 4
            let tickX = Self.labelWidth + fraction * (Self.width - Self.labelWidth - Self.noteWidth)
            out += #"<line class="tick" x1="\#(f(tickX))" y1="\#(f(Self.top - 6))" x2="\#(f(tickX))" y2="\#(f(height - 4))"/>"#
            let anchor = index == 0 ? "start" : (index == 4 ? "end" : "middle")
            out += #"<text class="tick-label" x="\#(f(tickX))" y="16" text-anchor="\#(anchor)">+\#(DashboardFormat.escape(DashboardFormat.duration(span * fraction)))</text>"#
        }
        for (index, row) in rows.enumerated() {
            let y = Self.top + Double(index) * Self.rowHeight
            let label = row.label.count > 26 ? String(row.label.prefix(25)) + "…" : row.label
            var rowSVG = #"<g class="timeline-row" data-row="\#(index)">"#
            let labelText = #"<text class="row-label" x="6" y="\#(f(y + 15))">\#(DashboardFormat.escape(label))<title>\#(DashboardFormat.escape(row.label))</title></text>"#
            if let link = row.link {
                rowSVG += #"<a href="\#(DashboardFormat.escape(link))" class="child-link">\#(labelText)</a>"#
            } else {
                rowSVG += labelText
            }
            var lastX = Self.labelWidth
            // Backoffs and waits first, so the short bars of failed attempts stay on top of them.
            let ordered = row.segments.filter { $0.kind == .backoff || $0.kind == .wait } + row.segments.filter { $0.kind != .backoff && $0.kind != .wait }
            for segment in ordered {
                let x0 = x(segment.start)
                let minimumWidth: Double = switch segment.kind {
                case .failed: 5
                case .marker, .cancelled: 3
                default: 2
                }
                let x1 = max(x(segment.end), x0 + minimumWidth)
                let barY = segment.kind == .wait ? y + 7 : y + 5
                let barHeight = segment.kind == .wait ? 10.0 : 14.0
                let rect = #"<rect class="bar bar-\#(segment.kind.rawValue)" x="\#(f(x0))" y="\#(f(barY))" width="\#(f(x1 - x0))" height="\#(f(barHeight))" rx="2"><title>\#(DashboardFormat.escape(segment.title))</title></rect>"#
                if let link = row.link {
                    rowSVG += #"<a href="\#(DashboardFormat.escape(link))">\#(rect)</a>"#
                } else {
                    rowSVG += rect
                }
                lastX = max(lastX, x1)
            }
            if !row.note.isEmpty {
                let note = row.note.count > 28 ? String(row.note.prefix(27)) + "…" : row.note
                rowSVG += #"<text class="bar-note" x="\#(f(lastX + 5))" y="\#(f(y + 15))">\#(DashboardFormat.escape(note))</text>"#
            }
            out += rowSVG + "</g>"
        }
        return out + "</svg>"
    }

    private func f(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
