import Foundation
import Keel

/// How the dashboard writes times, durations and JSON. Times go out as ISO 8601 in `<time>`
/// elements, which the page's script rewrites in the viewer's locale.
enum DashboardFormat {
    /// `2026-12-01T10:00:00.123Z`.
    static func iso(_ date: Date) -> String {
        date.formatted(APIJSON.dateStyle)
    }

    /// `iso(_:)` of a time that may be missing (`nil` then, which templates treat as absent).
    static func iso(_ date: Date?) -> String? {
        date.map { iso($0) }
    }

    /// A duration for people: `850 ms`, `4.2 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`.
    static func duration(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        if whole < 86_400 { return "\(whole / 3600) h \(whole % 3600 / 60) min" }
        return "\(whole / 86_400) d \(whole % 86_400 / 3600) h"
    }

    /// The duration between two times.
    static func duration(from start: Date, to end: Date) -> String {
        duration(end.timeIntervalSince(start))
    }

    /// JSON indented for reading, keys sorted; the raw text if it is not JSON.
    static func prettyJSON(_ data: Data?) -> String {
        guard let data, !data.isEmpty else { return "" }
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return String(decoding: data, as: UTF8.self) }
        return String(decoding: pretty, as: UTF8.self)
    }

    /// An encodable value as indented JSON in the API's conventions.
    static func prettyJSON(encoding value: some Encodable) -> String {
        prettyJSON(try? APIJSON.encode(value))
    }

    /// The first 8 characters of a run id, enough to tell runs apart on a page.
    static func shortID(_ id: RunID) -> String {
        String(id.rawValue.suffix(12))
    }

    /// A query string (`?a=1&b=2`, or "") of the non-empty `items`.
    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? value)
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    /// Escapes text for HTML and SVG.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
