import Foundation

/// Runs the chosen scenarios: per scenario, `repeats` repeats, each on a fresh store after a
/// warm-up, each preceded by an fsync probe of the data directory's disk. M runs in a child
/// process per repeat unless this process is that child, so its peak RSS is its own.
struct BenchRunner: Sendable {
    /// Everything the runner needs, resolved from the command line.
    struct Settings: Sendable {
        var store: BenchStore
        var scenarios: [ScenarioID]
        var n: Int?
        var repeats: Int
        var warmUpRuns: Int
        /// Where the fsync probe writes (the disk the store is on).
        var probeDirectory: URL
        var probeSeconds: Double
        /// The longest one repeat may take.
        var timeoutSeconds: Double
        var smoke: Bool
        var quiet: Bool
        /// Run M here rather than in a child process.
        var memoryInProcess: Bool
        /// The arguments a child needs to reach the same store (`--store`, `--postgres`, `--dir`, …).
        var childArguments: [String]
    }

    let settings: Settings

    func run(into report: inout BenchReport) async {
        for id in settings.scenarios {
            var result = BenchReport.ScenarioResult(id: id, n: settings.n ?? id.defaultN)
            for index in 0..<settings.repeats {
                do {
                    let figures = try await oneRepeat(of: id, n: result.n)
                    result.repeats.append(figures)
                    if !settings.quiet { print("\(id.rawValue) repeat \(index + 1)/\(settings.repeats): \(Self.describe(figures))") }
                } catch {
                    result.error = "\(error)"
                    if !settings.quiet { print("\(id.rawValue) repeat \(index + 1)/\(settings.repeats): FAILED: \(error)") }
                    break
                }
            }
            report.results.append(result)
        }
    }

    private func oneRepeat(of id: ScenarioID, n: Int) async throws -> Figures {
        if id == .M && !settings.memoryInProcess { return try await ChildProcess.runMemoryScenario(n: n, settings: settings) }
        let probe = try FsyncProbe.measure(directory: settings.probeDirectory, seconds: settings.probeSeconds)
        let context = ScenarioContext(store: settings.store, n: n, warmUpRuns: settings.warmUpRuns)
        let scenario = id.scenario
        let timeout = settings.timeoutSeconds
        var figures = try await withThrowingTaskGroup(of: Figures?.self) { group in
            group.addTask { try await scenario.measure(context) }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let figures = first else {
                throw BenchError("scenario \(id.rawValue) did not finish within \(Int(timeout)) s (--timeout)")
            }
            return figures
        }
        figures["\(id.rawValue)_probe_fsync_per_s"] = probe
        return figures
    }

    private static func describe(_ figures: Figures) -> String {
        figures.sorted { $0.key < $1.key }.map { "\($0.key)=\(BenchReport.format($0.value))" }.joined(separator: " ")
    }
}
