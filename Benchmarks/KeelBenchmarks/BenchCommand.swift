import ArgumentParser
import Foundation
import KeelSQLite

/// `keel-bench`: Keel's release-build benchmarks (issue #6), one scenario after another on a
/// fresh store per repeat; prints a table of medians and, last, one JSON line.
@main
struct BenchCommand: AsyncParsableCommand {
    /// Which store the runs live in.
    enum StoreKind: String, ExpressibleByArgument, CaseIterable {
        case sqlite, postgres
    }

    /// SQLite's `synchronous` setting.
    enum DurabilityOption: String, ExpressibleByArgument, CaseIterable {
        case full, normal
        var durability: SQLiteRunStore.Configuration.Durability { self == .full ? .full : .normal }
    }

    static let configuration = CommandConfiguration(
        commandName: "keel-bench",
        abstract: "Benchmarks Keel's engine on SQLite or PostgreSQL: a table, then one JSON line.",
        discussion: """
            Scenarios (default N; --n overrides every N):
              A   2000 runs of a 3-step task, one after another: runs/s, commits/run
              Ac  the same 2000 runs triggered all at once (32 slots): runs/s
              B   500 runs of a 1-step task, trigger to result: p50 / p99 ms
              C   a parent batchTriggerAndWait-ing 1000, then 10000, children: s
              D   200 runs sleeping 0.1 s, then a step, all at once: s
              S   one run of 1000 steps: µs per step (SQLite: FULL and NORMAL)
              M   100000 runs sleeping at once: s to create, peak RSS (own process)
              R   resuming a run with a 1000-step journal: replay + read, ms
              T   idle worker, trigger to body start: p50 / p99 ms (local;
                  on PostgreSQL also from a second engine, woken by NOTIFY)
              W   PostgreSQL only: 2000 runs of the 3-step task triggered at once,
                  executed by 1 and then 4 worker processes: runs/s

            Each repeat runs on a fresh store (new SQLite file or PostgreSQL schema)
            after a warm-up, with an fsync probe of the --dir disk before it.
            Run it in release: swift run -c release keel-bench --only A,B
            """
    )

    @Option(help: "The store: sqlite (WAL, a temporary file) or postgres (a fresh schema per repeat).")
    var store: StoreKind = .sqlite

    @Option(name: .customLong("postgres"), help: "PostgreSQL URL for --store postgres (default: $KEEL_POSTGRES_URL).")
    var postgresURL: String?

    @Option(help: "Comma-separated scenarios to run, in order: A,Ac,B,C,D,S,M,R,T (default: all).")
    var only: String?

    @Option(help: "Override every scenario's N (C runs N and 10 x N children).")
    var n: Int?

    @Option(help: "Repeats per scenario; the table shows their median.")
    var repeats: Int = 3

    @Option(help: "SQLite synchronous setting: full or normal (S measures both).")
    var durability: DurabilityOption = .full

    @Option(help: "Directory for the SQLite files and the fsync probe (default: the temporary directory).")
    var dir: String?

    @Option(name: .customLong("warm-up"), help: "Warm-up runs on each fresh store before timing (default 20; smoke 2).")
    var warmUp: Int?

    @Option(help: "Seconds of each repeat's fsync probe (default 1; smoke 0.1).")
    var probeSeconds: Double?

    @Option(help: "The longest one repeat may take, in seconds, before it counts as failed (default 900; smoke 120).")
    var timeout: Double?

    @Flag(help: "Print only the JSON line.")
    var jsonOnly = false

    @Flag(help: "Quick correctness check (CI): N=50, 1 repeat, short warm-up and probe; exits non-zero if any scenario fails or gives a wrong result.")
    var smoke = false

    @Flag(help: .hidden)
    var memoryInProcess = false

    @Option(name: .customLong("worker-for"), help: .hidden)
    var workerFor: String?

    func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
        if let n, n < 1 { throw ValidationError("--n must be at least 1") }
        _ = try scenarios()
        if store == .postgres && resolvedPostgresURL == nil {
            throw ValidationError("--store postgres needs a database: pass --postgres postgres://user@host:port/database or set KEEL_POSTGRES_URL")
        }
    }

    private var resolvedPostgresURL: String? {
        postgresURL ?? ProcessInfo.processInfo.environment["KEEL_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func scenarios() throws -> [ScenarioID] {
        guard let only else { return ScenarioID.allCases.filter { $0 != .W || store == .postgres } }
        let list = try ScenarioID.parseList(only)
        if list.isEmpty { throw ValidationError("--only names no scenario") }
        if list.contains(.W) && store != .postgres { throw ValidationError("scenario W runs worker processes on one database: it needs --store postgres") }
        return list
    }

    func run() async throws {
        if let workerFor {
            try await WorkerProcesses.serve(postgresURL: workerFor)
            return
        }
        let directory = URL(fileURLWithPath: dir ?? FileManager.default.temporaryDirectory.path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let benchStore: BenchStore
        var childArguments = ["--store", store.rawValue, "--durability", durability.rawValue, "--dir", directory.path]
        switch store {
        case .sqlite:
            benchStore = .sqlite(durability: durability.durability, directory: directory)
        case .postgres:
            let url = resolvedPostgresURL!
            benchStore = .postgres(url: url)
            childArguments += ["--postgres", url]
        }
        let warmUpRuns = warmUp ?? (smoke ? 2 : 20)
        childArguments += ["--warm-up", "\(warmUpRuns)"]
        let settings = BenchRunner.Settings(
            store: benchStore, scenarios: try scenarios(), n: n ?? (smoke ? 50 : nil), repeats: smoke ? 1 : repeats, warmUpRuns: warmUpRuns,
            probeDirectory: directory, probeSeconds: probeSeconds ?? (smoke ? 0.1 : 1), timeoutSeconds: timeout ?? (smoke ? 120 : 900),
            smoke: smoke, quiet: jsonOnly, memoryInProcess: memoryInProcess, childArguments: childArguments
        )
        try await benchStore.checkReachable()
        var report = BenchReport(store: store.rawValue, durability: durability.rawValue, repeatsRequested: settings.repeats, smoke: smoke)
        await BenchRunner(settings: settings).run(into: &report)
        if !jsonOnly {
            print("")
            print(report.table())
        }
        if smoke && !jsonOnly {
            print(report.hasErrors ? "smoke: FAILED" : "smoke: every scenario completed with correct results")
        }
        print(try report.json())
        if report.hasErrors {
            let failed = report.results.filter { $0.error != nil }
            FileHandle.standardError.write(Data(("keel-bench: " + failed.map { "\($0.id.rawValue): \($0.error!)" }.joined(separator: "; ") + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
