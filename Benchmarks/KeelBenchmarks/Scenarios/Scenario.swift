import ArgumentParser
import Foundation

/// The figures of one repeat of a scenario, by key. Keys are prefixed with the scenario's id
/// (`A_runs_per_s`) and stable: `scripts/bench-compare` and `docs/BENCHMARKS.md` read them.
typealias Figures = [String: Double]

/// The benchmark scenarios, as named in issue #6 and on the command line.
enum ScenarioID: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// Throughput: runs of a 3-step task, one after another.
    case A
    /// Throughput: the same runs triggered all at once.
    case Ac
    /// Latency of a 1-step run, trigger to result.
    case B
    /// Fan-out: one parent awaiting N, then 10 × N, one-step children.
    case C
    /// Durable sleep: N runs sleeping 0.1 s then running a step, all at once.
    case D
    /// Step overhead: one run of N steps.
    case S
    /// Memory: N runs sleeping at once.
    case M
    /// Replay: rebuilding a run from an N-entry journal.
    case R
    /// Trigger-to-start latency on an idle worker.
    case T
    /// Throughput with 1 and 4 worker processes on one PostgreSQL database.
    case W

    /// What the scenario runs, for the table.
    var summary: String {
        switch self {
        case .A: "runs × 3 steps, sequential"
        case .Ac: "runs × 3 steps, all at once (32 slots)"
        case .B: "1-step runs, trigger → result"
        case .C: "batchTriggerAndWait of children"
        case .D: "runs sleep 0.1 s + 1 step, at once"
        case .S: "steps in one run"
        case .M: "runs sleeping at once"
        case .R: "steps journaled, resumed, replayed"
        case .T: "runs on an idle worker, trigger → body"
        case .W: "runs × 3 steps on 1 and 4 worker processes"
        }
    }

    /// N when `--n` is not given.
    var defaultN: Int {
        switch self {
        case .A, .Ac: 2000
        case .B: 500
        case .C: 1000
        case .D: 200
        case .S, .R: 1000
        case .M: 100_000
        case .T: 200
        case .W: 2000
        }
    }

    /// The scenario's implementation.
    var scenario: any Scenario {
        switch self {
        case .A: ThroughputScenario(concurrent: false)
        case .Ac: ThroughputScenario(concurrent: true)
        case .B: LatencyScenario()
        case .C: FanOutScenario()
        case .D: DurableSleepScenario()
        case .S: StepOverheadScenario()
        case .M: SleepingRunsMemoryScenario()
        case .R: ReplayScenario()
        case .T: TriggerToStartScenario()
        case .W: WorkerProcessesScenario()
        }
    }

    /// `A,Ac,B` → the scenarios, in the order given.
    static func parseList(_ text: String) throws -> [ScenarioID] {
        var result: [ScenarioID] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let id = ScenarioID(rawValue: name) ?? ScenarioID.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                throw ValidationError("unknown scenario '\(name)' in --only; scenarios: \(ScenarioID.allCases.map(\.rawValue).joined(separator: ","))")
            }
            if !result.contains(id) { result.append(id) }
        }
        return result
    }
}

/// What one repeat of a scenario is given.
struct ScenarioContext: Sendable {
    /// Where runs live; each repeat asks it for a fresh store.
    var store: BenchStore
    /// The scenario's N (its default, or `--n`).
    var n: Int
    /// How many warm-up runs to make on the fresh store before timing.
    var warmUpRuns: Int
}

/// A benchmark scenario: one repeat measures on a fresh store, after a warm-up, checks that the
/// result is correct (throwing ``BenchError`` if not), and returns its figures.
protocol Scenario: Sendable {
    /// Which scenario this is.
    var id: ScenarioID { get }
    /// The figures the table shows, in order: key, label, unit.
    var headline: [(key: String, label: String, unit: String)] { get }
    /// Runs one repeat.
    func measure(_ context: ScenarioContext) async throws -> Figures
}
