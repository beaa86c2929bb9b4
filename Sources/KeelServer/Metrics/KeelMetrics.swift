public import CoreMetrics
import Keel
public import Prometheus

/// The metrics a server exposes at `/metrics`, in Prometheus's text format: the engine's
/// counters and step timer (give ``factory`` to the engine's configuration), and queue depth,
/// read from the store at each scrape.
///
/// ```swift
/// let metrics = KeelMetrics()
/// var configuration = KeelEngine.Configuration()
/// configuration.metricsFactory = metrics.factory
/// ```
public final class KeelMetrics: Sendable {
    /// The registry every metric lives in.
    public let registry: PrometheusCollectorRegistry
    /// The factory to put in ``KeelEngine/Configuration/metricsFactory``: names like
    /// `keel.runs.started` become `keel_runs_started`.
    public let factory: any MetricsFactory

    /// Creates the metrics of one server, in a registry of their own.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.sanitize(name), labels.map { (Self.sanitize($0.0), $0.1) })
        }
        self.registry = registry
        self.factory = factory
    }

    static var queueDepth: MetricNameDescriptor { MetricNameDescriptor(namespace: "keel", metricName: "queue", unitName: "depth", helpText: "Unfinished runs per queue and status") }

    /// The statuses queue depth is reported for.
    static let depthStatuses: [RunStatus] = [.queued, .running, .waiting, .parked]

    /// Refreshes queue depth from the store and renders every metric.
    func render(engine: KeelEngine) async throws -> String {
        let counts = try await engine.unfinishedRunCounts()
        var depth: [String: [RunStatus: Int]] = [:]
        for task in engine.tasks { depth[task.queue.name] = [:] }
        for count in counts { depth[count.queue, default: [:]][count.status] = count.count }
        for (queue, byStatus) in depth {
            for status in Self.depthStatuses {
                registry.makeGauge(descriptor: Self.queueDepth, labels: [("queue", queue), ("status", status.rawValue)])
                    .set(Double(byStatus[status] ?? 0))
            }
        }
        return registry.emitToString()
    }

    private static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
