import Foundation
import Keel

/// How client commands show values in tables and lines: JSON on one line, times, durations.
enum DisplayFormat {
    /// `value` as compact JSON with sorted keys.
    static func json(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return value.description }
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` cut to at most `limit` characters, ending with `…` when cut, on one line.
    static func truncated(_ text: String, to limit: Int) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard oneLine.count > limit, limit > 1 else { return oneLine }
        return String(oneLine.prefix(limit - 1)) + "…"
    }

    /// An API date (`2026-12-01T10:00:00.123Z`) as `2026-12-01 10:00:00`, or `-` when absent.
    static func timestamp(_ iso: String?) -> String {
        guard let iso, !iso.isEmpty else { return "-" }
        guard let date = parseDate(iso) else { return iso }
        let components = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d",
            components.year ?? 0,
            components.month ?? 0,
            components.day ?? 0,
            components.hour ?? 0,
            components.minute ?? 0,
            components.second ?? 0
        )
    }

    /// The time of day of an API date with milliseconds (`10:00:00.123`), for event lines.
    static func timeOfDay(_ iso: String?) -> String {
        guard let iso, let date = parseDate(iso) else { return "--:--:--.---" }
        let components = Calendar.utc.dateComponents([.hour, .minute, .second, .nanosecond], from: date)
        let milliseconds = (components.nanosecond ?? 0) / 1_000_000
        return String(format: "%02d:%02d:%02d.%03d", components.hour ?? 0, components.minute ?? 0, components.second ?? 0, milliseconds)
    }

    /// The time between two API dates, `-` when either is absent.
    static func duration(from start: String?, to end: String?) -> String {
        guard let start = start.flatMap(parseDate), let end = end.flatMap(parseDate) else { return "-" }
        return duration(seconds: end.timeIntervalSince(start))
    }

    /// `seconds` the way a person reads it: `850ms`, `4.2s`, `5m03s`, `2h05m`, `3d04h`.
    static func duration(seconds: Double) -> String {
        let seconds = max(seconds, 0)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        if whole < 86_400 { return String(format: "%dh%02dm", whole / 3600, whole % 3600 / 60) }
        return String(format: "%dd%02dh", whole / 86_400, whole % 86_400 / 3600)
    }

    /// Parses an ISO 8601 date, with or without fractional seconds.
    static func parseDate(_ iso: String) -> Date? {
        if let date = try? Date(iso, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(iso, strategy: Date.ISO8601FormatStyle())
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC, in which the API's dates are shown.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        return calendar
    }()
}
