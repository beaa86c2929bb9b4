public import Hummingbird
public import Keel
public import Logging
import NIOCore

/// Builds the Keel server: the JSON API under `/api/v1`, server-sent events, `/metrics`,
/// `/healthz`, the OpenAPI document and the web dashboard at `/`, with the engine running as
/// one of its services.
///
/// `keel dev`, `keel serve` and the tests all build the server here, so what the tests check is
/// what users run.
///
/// ```swift
/// let metrics = KeelMetrics()
/// var engineConfiguration = KeelEngine.Configuration()
/// engineConfiguration.metricsFactory = metrics.factory
/// let engine = try KeelEngine(configuration: engineConfiguration, store: try .sqlite(path: "keel.sqlite"), tasks: tasks)
/// let app = buildApplication(engine: engine, configuration: .init(apiKeys: keys), metrics: metrics, logger: logger)
/// try await app.runService()   // until SIGINT or SIGTERM
/// ```
/// - Parameters:
///   - engine: the engine to serve; it starts and stops with the server.
///   - configuration: address, keys, limits.
///   - metrics: the metrics given to the engine's configuration, exposed at `/metrics`.
///   - logger: where the server logs.
///   - onServerRunning: called with the port once the server listens.
public func buildApplication(
    engine: KeelEngine,
    configuration: KeelServerConfiguration,
    metrics: KeelMetrics = KeelMetrics(),
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildRouter(engine: engine, configuration: configuration, metrics: metrics)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Keel"),
        services: [engine],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The router of ``buildApplication(engine:configuration:metrics:logger:onServerRunning:)``.
public func buildRouter(engine: KeelEngine, configuration: KeelServerConfiguration, metrics: KeelMetrics) -> Router<KeelRequestContext> {
    let router = Router(context: KeelRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: ErrorMiddleware())
    // The API takes Bearer keys; every other path is the dashboard's, behind its own login.
    router.add(
        middleware: APIKeyMiddleware(keys: configuration.apiKeys, publicPaths: ["/healthz"], isExempt: DashboardAccessMiddleware.isDashboardPath)
    )
    let dashboard = Dashboard(engine: engine, configuration: configuration)
    router.add(middleware: dashboard.accessMiddleware)
    dashboard.addRoutes(to: router)

    router.get("/healthz") { _, _ in ["status": "ok"] }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: try await metrics.render(engine: engine)))
        )
    }
    let api = router.group("/api/v1")
    api.get("openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
    let bodyLimit = configuration.maximumRequestBytes
    TasksController(engine: engine, bodyLimit: bodyLimit).addRoutes(to: api)
    RunsController(engine: engine, followPollInterval: configuration.followPollInterval).addRoutes(to: api)
    WaitpointsController(engine: engine, bodyLimit: bodyLimit).addRoutes(to: api)
    SchedulesController(engine: engine, bodyLimit: bodyLimit).addRoutes(to: api)
    return router
}
