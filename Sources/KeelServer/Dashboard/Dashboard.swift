import Crypto
import Foundation
import Hummingbird
import Keel
import Logging

/// The web dashboard: server-rendered pages at `/` beside the API, on the same port.
///
/// Pages: runs (filters, search, live updates, bulk actions), a run (header, timeline, journal,
/// logs, cancel, re-run, token completion), tasks, queues and schedules. Every page but the
/// login page needs a session, granted for an API key of the server (see ``DashboardSessions``);
/// every action needs the session's CSRF token.
struct Dashboard: Sendable {
    let engine: KeelEngine
    let renderer: DashboardRenderer
    let sessions: DashboardSessions
    /// The largest form accepted, in bytes.
    let bodyLimit: Int
    /// How often live views look for changes.
    let pollInterval: Duration

    init(engine: KeelEngine, configuration: KeelServerConfiguration) {
        self.engine = engine
        renderer = DashboardRenderer()
        let secret =
            configuration.sessionSecret.map { SymmetricKey(data: SHA256.hash(data: Data(("keel.dashboard.session." + $0).utf8))) }
            ?? SymmetricKey(size: .bits256)
        sessions = DashboardSessions(secret: secret, keys: configuration.apiKeys, lifetime: configuration.sessionLifetime)
        bodyLimit = configuration.maximumRequestBytes
        pollInterval = configuration.followPollInterval
    }

    /// The middleware that keeps every dashboard path behind the login page.
    var accessMiddleware: DashboardAccessMiddleware {
        DashboardAccessMiddleware(sessions: sessions, renderer: renderer)
    }

    /// Adds the dashboard's routes.
    func addRoutes(to router: Router<KeelRequestContext>) {
        DashboardAssetsController().addRoutes(to: router)
        DashboardLoginController(dashboard: self).addRoutes(to: router)
        RunsPageController(dashboard: self).addRoutes(to: router)
        RunPageController(dashboard: self).addRoutes(to: router)
        OverviewPagesController(dashboard: self).addRoutes(to: router)
    }

    /// The chrome of a signed-in page.
    func chrome(_ title: String, section: String, _ context: KeelRequestContext) -> PageChrome {
        PageChrome(title: title, section: section, csrfToken: context.dashboardSession?.csrfToken ?? "")
    }

    /// Runs a page handler, answering its errors with an HTML page of the right status: never a
    /// JSON error, never a 500 for bad input.
    func page(_ context: KeelRequestContext, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            let (status, message) = Self.describe(error)
            if status == .internalServerError {
                context.logger.error("dashboard page failed", metadata: ["error.message": .string("\(error)")])
            }
            return DashboardResponse.page(renderer.error(status: status, message, csrfToken: context.dashboardSession?.csrfToken), status: status)
        }
    }

    /// The status and message of an error shown on a page.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as DashboardError: return (error.status, error.message)
        case let error as KeelError: let api = APIError(error); return (api.status, error.message)
        case let error as APIError: return (error.status, error.message)
        case let error as HTTPError: return (error.status, error.body ?? error.status.reasonPhrase)
        default: return (.internalServerError, "The dashboard failed: \(error)")
        }
    }
}
