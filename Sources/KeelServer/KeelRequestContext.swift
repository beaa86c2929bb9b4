public import Hummingbird

/// The request context of Keel's routes: Hummingbird's core context, with Keel's JSON encoder
/// (dates as ISO 8601 with milliseconds) for responses.
public struct KeelRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The dashboard session of the request, set by the dashboard's access middleware.
    var dashboardSession: DashboardSessionContext?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var responseEncoder: APIJSONEncoder { APIJSONEncoder() }
}
