import Foundation
public import CoreMetrics
public import Logging
import Metrics

extension KeelEngine {
    /// Long-lived settings of an engine.
    public struct Configuration: Sendable {
        /// The queue this engine triggers onto and claims from.
        public var queue: String
        /// How many runs execute at once. A run that waits (sleep, backoff) gives its slot back,
        /// and so does a run whose code has returned, as its outcome is written.
        public var concurrency: Int
        /// This worker's identity in leases; unique per engine instance by default.
        public var workerID: String
        /// How long a claimed run stays leased without a heartbeat. A worker that dies loses its
        /// runs to other workers this long after its last heartbeat.
        public var leaseDuration: Duration
        /// How often leases are renewed; a third of ``leaseDuration`` by default.
        public var heartbeatInterval: Duration
        /// How often the store is polled for due runs that no local signal announced
        /// (runs triggered by another process).
        public var pollInterval: Duration
        /// Waits (sleeps, retry backoffs) up to this long keep the run in memory, holding no slot,
        /// and continue without replay; longer ones suspend the run durably and free its memory.
        public var inMemoryWaitThreshold: Duration
        /// On graceful shutdown, how long in-flight steps may take to finish before they are cancelled.
        public var shutdownGracePeriod: Duration
        /// The retry policy of tasks and steps that declare none.
        public var defaultRetryPolicy: RetryPolicy
        /// The largest input, output or step result accepted, in bytes of JSON.
        public var maximumPayloadBytes: Int
        /// Queues this engine serves beyond those its tasks declare (for runs triggered with
        /// ``TriggerOptions/queue``), or limits for the default queue.
        public var queues: [QueueDefinition] = []
        /// The most log lines a run keeps (lines written through ``TaskContext/logger``); later
        /// lines are dropped, with a warning line in their place. 1,000 by default.
        public var maximumLogLinesPerRun = 1000
        /// The lowest level of the lines a run's log keeps, whatever the engine's logger prints;
        /// `.info` by default.
        public var runLogLevel: Logger.Level = .info
        /// How many due runs this worker claims beyond its free slots: leased to it and held in
        /// memory, each starts the moment a slot frees, with no round trip to the store in
        /// between. `nil` (the default) claims half of ``concurrency`` ahead; 0 claims runs only
        /// for free slots. Once half of the runs held have started, one claim tops them up
        /// again, rather than one claim per freed slot.
        ///
        /// Runs claimed ahead show as running and count against queue limits. If the worker
        /// stops gracefully they go back to the queue; if it dies, other workers take them once
        /// their lease expires, as they take the runs it was executing.
        public var claimAhead: Int?
        /// Hooks run after every run of every task; none by default.
        public var hooks = RunHooks()
        /// Where the engine's metrics go (`keel.runs.started`, `keel.runs.completed`,
        /// `keel.runs.failed`, `keel.step.duration`); the process's bootstrapped
        /// `MetricsSystem` by default. The server passes its Prometheus registry's factory.
        public var metricsFactory: any MetricsFactory = MetricsSystem.factory

        /// Creates a configuration; every setting has a default suited to `keel dev`.
        public init(
            queue: String = "default",
            concurrency: Int = 32,
            workerID: String? = nil,
            leaseDuration: Duration = .seconds(30),
            heartbeatInterval: Duration? = nil,
            pollInterval: Duration = .milliseconds(500),
            inMemoryWaitThreshold: Duration = .seconds(30),
            shutdownGracePeriod: Duration = .seconds(30),
            defaultRetryPolicy: RetryPolicy = .default,
            maximumPayloadBytes: Int = 4 * 1024 * 1024
        ) {
            self.queue = queue
            self.concurrency = concurrency
            self.workerID = workerID ?? Self.makeWorkerID()
            self.leaseDuration = leaseDuration
            self.heartbeatInterval = heartbeatInterval ?? leaseDuration / 3
            self.pollInterval = pollInterval
            self.inMemoryWaitThreshold = inMemoryWaitThreshold
            self.shutdownGracePeriod = shutdownGracePeriod
            self.defaultRetryPolicy = defaultRetryPolicy
            self.maximumPayloadBytes = maximumPayloadBytes
        }

        /// Checks the settings, naming the first one out of range.
        func validate() throws {
            func require(_ condition: Bool, _ message: String) throws {
                if !condition { throw KeelError(.invalidConfiguration, message) }
            }
            try require(!queue.isEmpty, "queue must not be empty")
            try require(concurrency >= 1, "concurrency must be at least 1, got \(concurrency)")
            try require(leaseDuration > .zero, "leaseDuration must be positive")
            try require(heartbeatInterval > .zero && heartbeatInterval < leaseDuration, "heartbeatInterval must be positive and shorter than leaseDuration")
            try require(pollInterval > .zero, "pollInterval must be positive")
            try require(maximumPayloadBytes > 0, "maximumPayloadBytes must be positive")
            try require((claimAhead ?? 0) >= 0, "claimAhead must not be negative, got \(claimAhead ?? 0)")
            try require(maximumLogLinesPerRun >= 1, "maximumLogLinesPerRun must be at least 1, got \(maximumLogLinesPerRun)")
        }

        /// How many runs the claim loop keeps claimed ahead of free slots.
        var runsToClaimAhead: Int { claimAhead ?? concurrency / 2 }

        static func makeWorkerID() -> String {
            let host = ProcessInfo.processInfo.hostName
            let suffix = UUID().uuidString.prefix(8).lowercased()
            return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
        }
    }
}
