import Foundation
import Keel
import KeelPostgres
import KeelTesting
import PostgresNIO
import Testing

/// Four worker processes on one PostgreSQL database, as on four machines.
@Suite(
    .serialized, .timeLimit(.minutes(5)),
    .enabled(if: PostgresTestDatabase.url != nil, Comment(rawValue: PostgresTestDatabase.howToEnable))
)
struct MultiWorkerTests {
    /// The task the workers run, declared here only so the test can trigger it by name.
    struct ThreeSteps: TaskDefinition {
        struct Step: Codable, Sendable, Hashable {
            var index: Int
            var worker: Int32
        }
        static let name = "test.three-steps"
        func run(input: Int, context: TaskContext) async throws -> [Step] { [] }
    }

    static let runCount = 2_000

    /// The URL of the fresh schema `configuration` reaches.
    static func url(of configuration: PostgresClient.Configuration) throws -> String {
        guard let base = PostgresTestDatabase.url, var components = URLComponents(string: base) else { throw WorkerError("no KEEL_POSTGRES_URL") }
        let schema = configuration.options.additionalStartupParameters.first { $0.0 == "search_path" }?.1 ?? "public"
        components.queryItems = (components.queryItems ?? []).filter { $0.name != "search_path" && $0.name != "sslmode" }
            + [URLQueryItem(name: "search_path", value: schema), URLQueryItem(name: "sslmode", value: "disable")]
        return components.string!
    }

    /// Triggers the runs from an engine that does not execute them (this process is not a worker).
    static func triggerRuns(on store: PostgresRunStore) async throws -> [RunID] {
        let trigger = try KeelEngine(store: store, tasks: [ThreeSteps()], logger: .keelTest)
        let inputs = (0..<runCount).map { Data("\($0)".utf8) }
        var ids: [RunID] = []
        for chunk in stride(from: 0, to: inputs.count, by: 250) {
            ids += try await trigger.batchTrigger(taskName: ThreeSteps.name, inputs: Array(inputs[chunk..<min(chunk + 250, inputs.count)]))
        }
        return ids
    }

    /// Unfinished runs, retried while the database restarts.
    static func unfinished(_ store: PostgresRunStore) async -> Int? {
        try? await store.unfinishedRunCounts().reduce(0) { $0 + $1.count }
    }

    /// Waits until no run is unfinished, calling `progress` with the number of finished runs.
    static func waitForAll(_ store: PostgresRunStore, timeout: Duration = .seconds(180), progress: (Int) async throws -> Void = { _ in }) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let left = await unfinished(store) {
                if left == 0 { return }
                try await progress(runCount - left)
            }
            guard ContinuousClock.now < deadline else { throw WorkerError("runs still unfinished after \(timeout): \(await unfinished(store) ?? -1)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Every run completed once, with exactly one journaled result per step; returns which
    /// worker processes ran the steps.
    static func verify(_ ids: [RunID], store: PostgresRunStore) async throws -> Set<Int32> {
        var workers = Set<Int32>()
        for id in ids {
            let run = try #require(try await store.run(id))
            #expect(run.status == .completed, "run \(id) is \(run.status): \(run.error?.description ?? "")")
            let journal = try await store.journal(id)
            let completed = journal.filter { $0.kind == .stepCompleted }
            #expect(
                completed.map(\.position) == [0, 1, 2],
                "run \(id) journaled its steps as \(completed.map(\.position)); its journal: \(journal.map { "\($0.sequence):\($0.kind)@\($0.position.map(String.init) ?? "-")" })"
            )
            let steps = try JSONDecoder().decode([ThreeSteps.Step].self, from: try #require(run.output))
            #expect(steps.map(\.index) == [0, 1, 2])
            workers.formUnion(steps.map(\.worker))
        }
        return workers
    }

    @Test func fourWorkersShareTwoThousandRunsAndRunEachOnce() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, configuration in
            let url = try Self.url(of: configuration)
            let workers = try (0..<4).map { _ in try WorkerProcess(postgresURL: url) }
            defer { workers.forEach { $0.kill(SIGKILL) } }
            let started = ContinuousClock.now
            let ids = try await Self.triggerRuns(on: store)
            try await Self.waitForAll(store)
            let elapsed = ContinuousClock.now - started
            let ranOn = try await Self.verify(ids, store: store)
            #expect(ranOn == Set(workers.map(\.pid)), "steps ran on \(ranOn.sorted()), workers are \(workers.map(\.pid).sorted())")
            print("4 workers: \(Self.runCount) runs of 3 steps in \(elapsed), steps spread over \(ranOn.count) processes")
        }
    }

    @Test func killingAWorkerMidLoadLosesNoRun() async throws {
        try await PostgresTestDatabase.withFreshSchema { store, configuration in
            let url = try Self.url(of: configuration)
            let workers = try (0..<4).map { _ in try WorkerProcess(postgresURL: url, leaseSeconds: 3) }
            defer { workers.forEach { $0.kill(SIGKILL) } }
            let ids = try await Self.triggerRuns(on: store)
            var killed = false
            try await Self.waitForAll(store) { finished in
                if !killed && finished >= Self.runCount / 4 {
                    workers[0].kill(SIGKILL)  // mid-load: its leases lapse and the others take its runs over
                    killed = true
                }
            }
            #expect(killed)
            let ranOn = try await Self.verify(ids, store: store)
            #expect(ranOn.isSubset(of: Set(workers.map(\.pid))))
        }
    }

    /// The server restarts while runs are being triggered and executed: every connection of
    /// every process drops at once, mid-transaction. Workers reconnect and every run completes,
    /// each step journaled once. (A query postgres-nio sent on a connection already closed
    /// used to hang its run forever; see `StoreDeadline`.)
    @Test func restartingPostgreSQLMidLoadLosesNoRun() async throws {
        // Alone on the server: the restart drops every connection of the test process, and a
        // test running meanwhile would wait out its statements' deadlines (30 s each).
        try await PostgresTestDatabase.withFreshSchema(aloneOnTheServer: true) { store, configuration in
            let url = try Self.url(of: configuration)
            let workers = try (0..<4).map { _ in try WorkerProcess(postgresURL: url, leaseSeconds: 3) }
            defer { workers.forEach { $0.kill(SIGKILL) } }
            let trigger = try KeelEngine(store: store, tasks: [ThreeSteps()], logger: .keelTest)
            var ids: [RunID] = []
            for chunk in stride(from: 0, to: Self.runCount, by: 250) {
                if chunk == Self.runCount / 2 {
                    try await PostgresServer.restart()  // half triggered, many running
                }
                let inputs = (chunk..<min(chunk + 250, Self.runCount)).map { Data("\($0)".utf8) }
                ids += try await Self.retryingWhileTheServerRestarts {
                    try await trigger.batchTrigger(taskName: ThreeSteps.name, inputs: inputs)
                }
            }
            try await Self.waitForAll(store, timeout: .seconds(120))
            _ = try await Self.verify(ids, store: store)
        }
    }

    /// The test's own connections drop with the restart too: its first calls after it may fail.
    static func retryingWhileTheServerRestarts<Value>(_ work: () async throws -> Value) async throws -> Value {
        for _ in 0..<50 {
            do { return try await work() } catch { try await Task.sleep(for: .milliseconds(200)) }
        }
        return try await work()
    }
}

/// The test cluster `scripts/test` started (`KEEL_POSTGRES_DATA`, `KEEL_POSTGRES_CTL`).
enum PostgresServer {
    /// Restarts the server (`pg_ctl restart -m fast`): every connection drops.
    static func restart() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let data = environment["KEEL_POSTGRES_DATA"], let ctl = environment["KEEL_POSTGRES_CTL"] else {
            throw WorkerError("KEEL_POSTGRES_DATA and KEEL_POSTGRES_CTL are not set: run scripts/test, which starts the cluster this test restarts")
        }
        var arguments = [ctl, "-D", data, "-m", "fast", "-w", "restart", "-l", data + "/server.log"]
        if getuid() == 0 { arguments = ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments }
        let status = try await ChildProcess.run(arguments)
        guard status == 0 else { throw WorkerError("\(arguments.joined(separator: " ")) exited with \(status)") }
    }
}

/// Runs a short command to its end with `posix_spawn` and `waitpid`. Foundation's `Process`
/// sometimes never notices that a child of the test process exited (it stays a zombie and
/// `waitUntilExit` blocks forever), so the restart does not use it.
enum ChildProcess {
    static func run(_ arguments: [String]) async throws -> Int32 {
        var pid: pid_t = 0
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = posix_spawn(&pid, arguments[0], &fileActions, nil, argv, environ)
        guard spawned == 0 else { throw WorkerError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        let child = pid
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
    }
}
