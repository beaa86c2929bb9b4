/// How a Keel server listens and whom it lets in.
public struct KeelServerConfiguration: Sendable {
    /// The address to listen on: `127.0.0.1` (this machine only) or `0.0.0.0` (every interface).
    public var host: String
    /// The port; `0` picks a free one (see `onServerRunning` of ``buildApplication(engine:configuration:metrics:logger:onServerRunning:)``).
    public var port: Int
    /// The keys every route but `/healthz` requires.
    public var apiKeys: APIKeySet
    /// The largest request body accepted, in bytes; a larger one is answered with 413.
    public var maximumRequestBytes: Int
    /// How often a run's event stream looks for changes made by other processes on the same store.
    public var followPollInterval: Duration
    /// The secret the dashboard signs its session cookies with (any text; at least 32 characters
    /// advised). `nil`, the default, draws a random one when the server is built: sessions then
    /// end when the server restarts, and servers behind one address do not share them.
    public var sessionSecret: String?
    /// How long a dashboard login lasts; 12 hours by default.
    public var sessionLifetime: Duration = .seconds(12 * 3600)

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 7400,
        apiKeys: APIKeySet,
        maximumRequestBytes: Int = 16 * 1024 * 1024,
        followPollInterval: Duration = .seconds(1),
        sessionSecret: String? = nil
    ) {
        self.sessionSecret = sessionSecret
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.maximumRequestBytes = maximumRequestBytes
        self.followPollInterval = followPollInterval
    }
}
