import Foundation
public import Keel
import KeelSQLite
public import Logging
import ServiceLifecycle
import Synchronization

/// The stores tests can run on.
public enum TestStore: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A SQLite file in a fresh temporary directory.
    case sqlite
    /// A fresh schema in the PostgreSQL database of `KEEL_POSTGRES_URL` (`scripts/test` starts one).
    case postgres

    /// The stores configured here: SQLite always, PostgreSQL when `KEEL_POSTGRES_URL` is set.
    public static var allCases: [TestStore] {
        PostgresTestDatabase.url == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }

    /// Runs `body` with a fresh, empty store of this kind, then removes it (a SQLite store with
    /// ``KeelSQLite/SQLiteRunStore/Configuration/forTests``).
    public func withStore<Result: Sendable>(_ body: (any RunStore) async throws -> Result) async throws -> Result {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keel-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("keel.sqlite").path
            return try await body(try SQLiteRunStore(path: path, configuration: .forTests))
        case .postgres:
            return try await PostgresTestDatabase.withFreshSchema { store, _ in try await body(store) }
        }
    }
}

/// An engine under test on a virtual clock, running as a service, that a test can crash and restart.
public final class TestEngine: Sendable {
    /// The virtual clock every engine of this test reads.
    public let clock: VirtualClock
    /// The store, kept across restarts.
    public let store: any RunStore
    /// The tasks every engine of this test registers.
    public let tasks: [any TaskDefinition]
    /// The configuration every engine of this test uses (each gets its own worker id).
    public let configuration: KeelEngine.Configuration
    let logger: Logger
    private let current: Mutex<Running?>

    private struct Running: Sendable {
        var engine: KeelEngine
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    init(store: any RunStore, tasks: [any TaskDefinition], configuration: KeelEngine.Configuration, clock: VirtualClock, logger: Logger) {
        self.store = store
        self.tasks = tasks
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.current = Mutex(nil)
    }

    /// The engine running now.
    public var engine: KeelEngine {
        current.withLock { $0!.engine }
    }

    /// Starts a new engine on the store (with a new worker id).
    @discardableResult
    public func start() throws -> KeelEngine {
        var configuration = self.configuration
        configuration.workerID = "test-worker-" + UUID().uuidString.prefix(8).lowercased()
        let engine = try KeelEngine(configuration: configuration, store: store, tasks: tasks, clock: clock, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [engine], logger: logger))
        let task = Task { try await group.run() }
        current.withLock { $0 = Running(engine: engine, group: group, task: task) }
        return engine
    }

    /// Kills the running engine as a crash would (nothing more is written, leases stay until
    /// they expire) and starts a new one on the same store.
    ///
    /// Runs the old engine held resume once their lease expires: advance the clock by
    /// ``KeelEngine/Configuration/leaseDuration``.
    @discardableResult
    public func restart() async throws -> KeelEngine {
        await crash()
        return try start()
    }

    /// Kills the running engine as a crash would; start another with ``start()``.
    public func crash() async {
        guard let running = current.withLock({ $0 }) else { return }
        await running.engine.simulateCrash()
        running.task.cancel()
        _ = try? await running.task.value
        current.withLock { $0 = nil }
    }

    /// Shuts the running engine down gracefully, as SIGTERM would, and waits until it has stopped.
    public func shutdown() async throws {
        guard let running = current.withLock({ $0 }) else { return }
        await running.group.triggerGracefulShutdown()
        try await running.task.value
        current.withLock { $0 = nil }
    }

    /// Triggers `task` on the running engine.
    @discardableResult
    public func trigger<Task: TaskDefinition>(_ task: Task.Type, input: Task.Input, options: TriggerOptions = .init()) async throws -> RunHandle<Task.Output> {
        try await engine.trigger(task, input: input, options: options)
    }

    /// Waits (in real time) until run `id` has `status`, so a test advances the clock only once
    /// the run sleeps or waits.
    /// - Throws: ``KeelError/Code/invalidState`` naming the last status seen if `timeout` passes.
    public func waitUntil(_ id: RunID, is status: RunStatus, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var seen = try await engine.run(id).status
        while seen != status {
            if ContinuousClock.now >= deadline {
                throw KeelError(.invalidState, "run \(id) did not become \(status) within \(timeout); it is \(seen)")
            }
            try await Task.sleep(for: .milliseconds(2))
            seen = try await engine.run(id).status
        }
    }
}

/// Runs `body` with an engine on a fresh store of kind `store` and a virtual clock, then shuts it down.
///
/// `wrappingStore` puts a store of your own around the fresh one (to inject faults, say).
///
/// ```swift
/// try await withTestEngine(tasks: [Nap()]) { test in
///     let run = try await test.trigger(Nap.self, input: .init(hours: 2))
///     try await test.restart()
///     await test.clock.advance(by: .seconds(7200))
///     #expect(try await run.result().rested)
/// }
/// ```
public func withTestEngine<Result: Sendable>(
    store: TestStore = .sqlite,
    tasks: [any TaskDefinition],
    configuration: KeelEngine.Configuration = .init(),
    clock: VirtualClock = VirtualClock(),
    logger: Logger = .keelTest,
    wrappingStore wrap: (any RunStore) -> any RunStore = { $0 },
    _ body: (TestEngine) async throws -> Result
) async throws -> Result {
    try await store.withStore { runStore in
        let test = TestEngine(store: wrap(runStore), tasks: tasks, configuration: configuration, clock: clock, logger: logger)
        try test.start()
        do {
            let result = try await body(test)
            try await test.shutdown()
            return result
        } catch {
            await test.crash()
            throw error
        }
    }
}

extension Logger {
    /// A logger for tests that prints warnings and errors only (`KEEL_TEST_LOG_LEVEL` overrides).
    public static var keelTest: Logger {
        var logger = Logger(label: "keel.test")
        logger.logLevel = ProcessInfo.processInfo.environment["KEEL_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}
