import Foundation

/// Every repeat of every scenario of one invocation, and how to print them: a table of medians
/// with their spread, and one JSON line.
struct BenchReport: Sendable {
    /// One scenario's repeats.
    struct ScenarioResult: Sendable {
        var id: ScenarioID
        var n: Int
        var repeats: [Figures] = []
        var error: String?

        /// The median of `key` over the repeats that have it.
        func median(_ key: String) -> Double? { values(key).map { Statistics($0).median } }
        func values(_ key: String) -> [Double]? {
            let values = repeats.compactMap { $0[key] }
            return values.isEmpty ? nil : values
        }
        /// Every key any repeat has, sorted.
        var keys: [String] { Set(repeats.flatMap(\.keys)).sorted() }
    }

    var store: String
    var durability: String
    var repeatsRequested: Int
    var smoke: Bool
    var startedAt = Date()
    var loadAverageAtStart = BenchReport.loadAverage()
    var results: [ScenarioResult] = []

    /// Whether some scenario failed.
    var hasErrors: Bool { results.contains { $0.error != nil } }

    /// Repeats that committed durably (SQLite, `synchronous=FULL`) faster than the disk could sync
    /// a file in that repeat's fsync probe: each commit of such a repeat cannot have been synced,
    /// so the store is not as durable as configured. (It found that `SQLiteRunStore` runs with
    /// `synchronous=NORMAL` whatever its `durability` says; see docs/BENCHMARKS.md.)
    var warnings: [String] {
        guard store == "sqlite", durability == "full" else { return [] }
        var warnings: [String] = []
        for result in results {
            let id = result.id.rawValue
            for (index, figures) in result.repeats.enumerated() {
                let commitsPerSecond = figures["\(id)_commits_per_s"]
                    ?? figures["\(id)_full_commits_per_step"].flatMap { perStep in figures["\(id)_full_us_per_step"].map { perStep * 1e6 / $0 } }
                guard let commitsPerSecond, let probe = figures["\(id)_probe_fsync_per_s"], commitsPerSecond > 2 * probe else { continue }
                warnings.append(
                    "\(id) repeat \(index + 1): \(Self.format(commitsPerSecond)) commits/s with synchronous=FULL, but the disk did "
                        + "\(Self.format(probe)) fsyncs/s just before: commits are not being synced one by one"
                )
            }
        }
        return warnings
    }

    /// The 1-minute load average, from `/proc/loadavg`.
    static func loadAverage() -> Double {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).flatMap { $0.split(separator: " ").first.flatMap { Double($0) } } ?? .nan
    }

    // MARK: Table

    /// The table: one line per headline figure, median of the repeats with [min – max], and the
    /// median fsync probe of the scenario's repeats.
    func table() -> String {
        var lines: [String] = []
        let title = "keel-bench: \(store)\(store == "sqlite" ? " WAL, synchronous=\(durability.uppercased())" : ""), "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores, median of \(repeatsRequested) repeat(s)\(smoke ? " (smoke)" : "")"
        lines.append(title)
        lines.append(row("", "N", "scenario", "figure", "median", "[min – max]", "fsync/s"))
        lines.append(String(repeating: "-", count: 118))
        for result in results {
            let scenario = result.id.scenario
            let probe = result.median("\(result.id.rawValue)_probe_fsync_per_s").map { Self.format($0) } ?? ""
            if let error = result.error {
                lines.append(row(result.id.rawValue, "\(result.n)", result.id.summary, "FAILED", "", "", probe))
                lines.append("     \(error)")
                continue
            }
            var first = true
            for figure in scenario.headline {
                guard let values = result.values(figure.key) else { continue }
                let stats = Statistics(values)
                lines.append(
                    row(
                        first ? result.id.rawValue : "", first ? "\(result.n)" : "", first ? result.id.summary : "", figure.label,
                        Self.format(stats.median) + figure.unit, values.count > 1 ? "[\(Self.format(stats.min)) – \(Self.format(stats.max))]" : "",
                        first ? probe : ""
                    )
                )
                first = false
            }
        }
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    private func row(_ id: String, _ n: String, _ what: String, _ figure: String, _ median: String, _ spread: String, _ probe: String) -> String {
        id.padded(4) + n.padded(8) + what.padded(42) + figure.padded(16) + median.padded(14) + spread.padded(24) + probe
    }

    /// Three significant digits below 100, whole numbers above.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        return abs(value) >= 100 ? String(Int(value.rounded())) : String(format: "%.3g", value)
    }

    // MARK: JSON

    /// One JSON object: the medians under flat, stable keys (`A_runs_per_s`, `A_probe_fsync_per_s`),
    /// `spread` (min and max per key), `runs` (every repeat's figures by scenario), `errors`.
    func json() throws -> String {
        var object: [String: Any] = [
            "bench": "keel", "store": store, "durability": store == "sqlite" ? durability : NSNull(), "repeats": repeatsRequested,
            "smoke": smoke, "cpus": ProcessInfo.processInfo.activeProcessorCount, "date": ISO8601DateFormatter().string(from: startedAt),
            "loadavg_start": Self.rounded(loadAverageAtStart), "loadavg_end": Self.rounded(Self.loadAverage()),
        ]
        var spread: [String: [Double]] = [:]
        var runs: [String: [[String: Double]]] = [:]
        var errors: [String: String] = [:]
        for result in results {
            object["\(result.id.rawValue)_n"] = result.n
            if let error = result.error { errors[result.id.rawValue] = error }
            runs[result.id.rawValue] = result.repeats.map { $0.mapValues(Self.rounded) }
            for key in result.keys {
                guard let values = result.values(key) else { continue }
                let stats = Statistics(values)
                object[key] = Self.rounded(stats.median)
                spread[key] = [Self.rounded(stats.min), Self.rounded(stats.max)]
            }
        }
        object["spread"] = spread
        object["runs"] = runs
        object["errors"] = errors
        object["warnings"] = warnings
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func rounded(_ value: Double) -> Double {
        guard value.isFinite else { return -1 }
        let magnitude = abs(value)
        let scale = magnitude >= 1000 ? 1.0 : magnitude >= 1 ? 1000.0 : 1_000_000.0
        return (value * scale).rounded() / scale
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
