import Foundation

/// A duration in a request: a number of seconds (`90`, `0.5`) or a string with a unit
/// (`"500ms"`, `"10s"`, `"5m"`, `"2h"`, `"1d"`).
struct APIDuration: Decodable, Hashable {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) {
            guard seconds.isFinite else { throw DecodingError.dataCorruptedError(in: container, debugDescription: "a duration must be finite") }
            duration = .milliseconds(Int64((seconds * 1000).rounded()))
            return
        }
        let text = try container.decode(String.self)
        guard let duration = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not a duration; use seconds (90) or a number with a unit: 500ms, 10s, 5m, 2h, 1d"
            )
        }
        self.duration = duration
    }

    /// Parses `"500ms"`, `"10s"`, `"5m"`, `"2h"`, `"1d"` or `"90"` (seconds).
    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for (suffix, seconds) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "5m" must not be read as "5" + "m" of "ms": the loop tries "ms" first.
            guard let value = Double(number), value.isFinite else { return nil }
            return .milliseconds(Int64((value * seconds * 1000).rounded()))
        }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }
}
