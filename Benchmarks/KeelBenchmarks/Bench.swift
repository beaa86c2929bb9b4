import Foundation
import Keel
import KeelSQLite
import Logging

/// Release-build benchmarks for the core engine on a fresh SQLite file per scenario.
///
///     swift run -c release keel-bench [--only S,A,Ac,B,F,W] [--n 2000] [--durability full|normal] [--repeats 3]
///
/// F (fan-out of 10,000 children) and W (memory with 100,000 waiting runs) run only when named.
///
/// Prints a table and, last, one JSON line with every figure.
@main
struct Bench {
    struct ThreeSteps: TaskDefinition {
        struct Small: Codable, Sendable { var value: Int; var label: String }
        static let name = "bench.three-steps"
        func run(input: Int, context: TaskContext) async throws -> Int {
            var total = 0
            for index in 0..<3 {
                total += try await context.step("step-\(index)") { Small(value: input + index, label: "s") }.value
            }
            return total
        }
    }

    struct OneStep: TaskDefinition {
        static let name = "bench.one-step"
        func run(input: Int, context: TaskContext) async throws -> Int {
            try await context.step("only") { input }
        }
    }

    struct ManySteps: TaskDefinition {
        static let name = "bench.many-steps"
        func run(input: Int, context: TaskContext) async throws -> Int {
            var total = 0
            for index in 0..<input { total += try await context.step("step") { index } }
            return total
        }
    }

    /// Fans out `input` one-step children and sums their outputs.
    struct FanOut: TaskDefinition {
        static let name = "bench.fan-out"
        func run(input: Int, context: TaskContext) async throws -> Int {
            let results = try await context.batchTriggerAndWait(OneStep.self, inputs: Array(0..<input))
            return try results.reduce(0) { $0 + (try $1.get()) }
        }
    }

    /// Creates a token and waits on it: a run that costs a row while it waits.
    struct Approval: TaskDefinition {
        static let name = "bench.approval"
        func run(input: Int, context: TaskContext) async throws -> Int {
            let token = try await context.createToken()
            return try await context.wait(for: token, as: Int.self)
        }
    }

    struct Options: Sendable {
        var only: Set<String> = ["S", "A", "Ac", "B"]
        var n = 2000
        var durability = SQLiteRunStore.Configuration.Durability.full
        var repeats = 3
    }

    static func main() async throws {
        let options = try parse(CommandLine.arguments.dropFirst())
        var results: [String: Double] = [:]
        print("keel-bench: SQLite WAL, synchronous=\(options.durability.rawValue.uppercased()), \(ProcessInfo.processInfo.activeProcessorCount) cores, median of \(options.repeats)")
        print(String(repeating: "-", count: 72))
        if options.only.contains("S") {
            let perStep = try await median(options.repeats) { try await stepOverhead(steps: 1000, options: options) }
            report("S", "1 run of 1,000 steps", "\(format(perStep)) µs/step", &results, ["S_us_per_step": perStep])
        }
        if options.only.contains("A") {
            let rate = try await median(options.repeats) { try await throughput(runs: options.n, concurrency: 1, options: options) }
            report("A", "\(options.n) runs × 3 steps, sequential", "\(format(rate)) runs/s, \(format(rate * 3)) steps/s", &results, ["A_runs_per_s": rate])
        }
        if options.only.contains("Ac") {
            let rate = try await median(options.repeats) { try await throughput(runs: options.n, concurrency: 32, options: options) }
            report("Ac", "\(options.n) runs × 3 steps, 32 at once", "\(format(rate)) runs/s, \(format(rate * 3)) steps/s", &results, ["Ac_runs_per_s": rate])
        }
        if options.only.contains("B") {
            var p50s: [Double] = []
            var p99s: [Double] = []
            for _ in 0..<options.repeats {
                let (p50, p99) = try await latency(runs: 500, options: options)
                p50s.append(p50)
                p99s.append(p99)
            }
            let p50 = p50s.sorted()[p50s.count / 2]
            let p99 = p99s.sorted()[p99s.count / 2]
            report("B", "500 × 1-step run, trigger to result", "p50 \(format(p50)) ms, p99 \(format(p99)) ms", &results, ["B_p50_ms": p50, "B_p99_ms": p99])
        }
        if options.only.contains("F") {
            let seconds = try await median(options.repeats) { try await fanOut(children: 10_000, options: options) }
            report("F", "batchTriggerAndWait of 10,000 children", "\(format(seconds)) s", &results, ["F_fanout_10k_s": seconds])
        }
        if options.only.contains("W") {
            let (baseline, peak) = try await waitingRuns(runs: 100_000, options: options)
            report("W", "100,000 runs waiting on tokens", "peak RSS \(format(peak)) MiB (\(format(baseline)) MiB before)", &results, ["W_rss_mib": peak, "W_rss_before_mib": baseline])
        }
        results["durability_full"] = options.durability == .full ? 1 : 0
        let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    // MARK: Scenarios

    /// µs per step for one run of `steps` steps.
    static func stepOverhead(steps: Int, options: Options) async throws -> Double {
        try await withEngine(options: options, concurrency: 1) { engine in
            _ = try await engine.trigger(ManySteps.self, input: 10).result()  // warm-up
            let start = ContinuousClock.now
            _ = try await engine.trigger(ManySteps.self, input: steps).result()
            return (ContinuousClock.now - start).seconds * 1e6 / Double(steps)
        }
    }

    /// Runs per second for `runs` three-step runs, `concurrency` in flight at a time.
    static func throughput(runs: Int, concurrency: Int, options: Options) async throws -> Double {
        try await withEngine(options: options, concurrency: concurrency) { engine in
            for index in 0..<20 { _ = try await engine.trigger(ThreeSteps.self, input: index).result() }  // warm-up
            let start = ContinuousClock.now
            if concurrency == 1 {
                for index in 0..<runs { _ = try await engine.trigger(ThreeSteps.self, input: index).result() }
            } else {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<runs {
                        group.addTask { _ = try await engine.trigger(ThreeSteps.self, input: index).result() }
                    }
                    try await group.waitForAll()
                }
            }
            return Double(runs) / (ContinuousClock.now - start).seconds
        }
    }

    /// p50 and p99 in milliseconds from trigger to result of a one-step run.
    static func latency(runs: Int, options: Options) async throws -> (Double, Double) {
        try await withEngine(options: options, concurrency: 32) { engine in
            for index in 0..<20 { _ = try await engine.trigger(OneStep.self, input: index).result() }  // warm-up
            var samples: [Double] = []
            for index in 0..<runs {
                let start = ContinuousClock.now
                _ = try await engine.trigger(OneStep.self, input: index).result()
                samples.append((ContinuousClock.now - start).seconds * 1000)
            }
            samples.sort()
            return (samples[samples.count / 2], samples[min(samples.count - 1, samples.count * 99 / 100)])
        }
    }

    /// Seconds for a parent to fan out `children` one-step children and collect their outputs.
    static func fanOut(children: Int, options: Options) async throws -> Double {
        try await withEngine(options: options, concurrency: 32) { engine in
            let start = ContinuousClock.now
            let sum = try await engine.trigger(FanOut.self, input: children).result()
            precondition(sum == children * (children - 1) / 2, "wrong fan-out sum \(sum)")
            return (ContinuousClock.now - start).seconds
        }
    }

    /// Peak resident memory (MiB) before and after `runs` runs are all waiting on tokens.
    static func waitingRuns(runs: Int, options: Options) async throws -> (Double, Double) {
        try await withEngine(options: options, concurrency: 32) { engine in
            let baseline = residentMiB()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: runs, by: 1000) {
                    group.addTask {
                        for index in chunk..<min(runs, chunk + 1000) { _ = try await engine.trigger(Approval.self, input: index) }
                    }
                }
                try await group.waitForAll()
            }
            while try await engine.listRuns(RunQuery(statuses: [.queued, .running], limit: 1)).count > 0 {
                try await Task.sleep(for: .milliseconds(200))
            }
            return (baseline, residentMiB())
        }
    }

    /// The process's peak resident set (VmHWM), in MiB.
    static func residentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }

    // MARK: Harness

    static func withEngine<Result: Sendable>(
        options: Options, concurrency: Int, _ body: (KeelEngine) async throws -> Result
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "keel.bench")
        logger.logLevel = .warning
        let engine = try KeelEngine(
            configuration: .init(concurrency: concurrency),
            store: try .sqlite(path: directory.appendingPathComponent("bench.sqlite").path, configuration: .init(durability: options.durability)),
            tasks: [ThreeSteps(), OneStep(), ManySteps(), FanOut(), Approval()],
            logger: logger
        )
        let service = Task { try await engine.run() }
        defer { service.cancel() }
        try await Task.sleep(for: .milliseconds(20))
        let result = try await body(engine)
        service.cancel()
        try await service.value
        return result
    }

    static func median(_ repeats: Int, _ measure: @Sendable () async throws -> Double) async throws -> Double {
        var values: [Double] = []
        for _ in 0..<max(1, repeats) { values.append(try await measure()) }
        return values.sorted()[values.count / 2]
    }

    static func report(_ id: String, _ what: String, _ figure: String, _ results: inout [String: Double], _ values: [String: Double]) {
        print("\(id.padding(toLength: 4, withPad: " ", startingAt: 0)) \(what.padding(toLength: 40, withPad: " ", startingAt: 0)) \(figure)")
        results.merge(values) { $1 }
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.3g", value)
    }

    static func parse(_ arguments: ArraySlice<String>) throws -> Options {
        var options = Options()
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw UsageError(message: "\(flag) needs a value") }
            switch flag {
            case "--only": options.only = Set(value.split(separator: ",").map(String.init))
            case "--n": options.n = Int(value) ?? options.n
            case "--repeats": options.repeats = Int(value) ?? options.repeats
            case "--durability":
                guard let durability = SQLiteRunStore.Configuration.Durability(rawValue: value) else {
                    throw UsageError(message: "--durability must be full or normal, got '\(value)'")
                }
                options.durability = durability
            default: throw UsageError(message: "unknown flag \(flag); flags: --only S,A,Ac,B --n N --repeats N --durability full|normal")
            }
        }
        return options
    }

    struct UsageError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
