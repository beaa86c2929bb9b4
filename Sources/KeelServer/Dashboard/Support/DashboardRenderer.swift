import Hummingbird
import Mustache

/// Renders the dashboard's pages from the embedded templates.
struct DashboardRenderer: Sendable {
    let library: MustacheLibrary

    /// Parses every template once; a broken template is a programming error caught by the tests.
    init() {
        var library = MustacheLibrary()
        for (name, text) in DashboardTemplates.all {
            do {
                try library.register(text, named: name)
            } catch {
                preconditionFailure("dashboard template '\(name)' does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// The page `template` filled with `model`.
    func render(_ template: String, _ model: Any) -> String {
        library.render(model, withTemplate: template) ?? "template '\(template)' is missing"
    }

    private struct LoginView {
        var csrfToken: String
        var next: String
        var error: String?
    }

    /// The login page, with the login form's CSRF value.
    func login(csrfToken: String, next: String, error: String?) -> String {
        render("login", LoginView(csrfToken: csrfToken, next: next, error: error))
    }

    private struct ErrorView {
        var page: PageChrome?
        var title: String
        var message: String
    }

    /// A page saying what went wrong; with the signed-in chrome when `csrfToken` is given.
    func error(status: HTTPResponse.Status, _ message: String, csrfToken: String? = nil) -> String {
        let title = "\(status.code) \(status.reasonPhrase)"
        return render("error", ErrorView(page: csrfToken.map { PageChrome(title: title, section: "", csrfToken: $0) }, title: title, message: message))
    }
}
