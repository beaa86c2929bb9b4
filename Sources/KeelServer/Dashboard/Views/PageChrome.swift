/// What every signed-in page shows around its content: title, navigation, CSRF token.
struct PageChrome {
    struct NavItem {
        var title: String
        var path: String
        var current: Bool
    }

    var title: String
    var csrfToken: String
    var nav: [NavItem]

    init(title: String, section: String, csrfToken: String) {
        self.title = title
        self.csrfToken = csrfToken
        nav = [("Runs", "/"), ("Tasks", "/tasks"), ("Queues", "/queues"), ("Schedules", "/schedules")].map {
            NavItem(title: $0.0, path: $0.1, current: $0.0 == section)
        }
    }
}
