/// The dashboard's Mustache templates, embedded in the binary so an installed `keel` needs no
/// resource files. Each page extends `layout` and fills its `body` block.
enum DashboardTemplates {
    /// Every template by the name pages and partials use.
    static var all: [String: String] {
        [
            "layout": layout, "login": login, "error": error, "runs": runs, "run_row": runRow, "confirm": confirm,
            "run": run, "run_panel": runPanel, "tasks": tasks, "queues": queues, "schedules": schedules,
        ]
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        {{#page.csrfToken}}<meta name="csrf-token" content="{{page.csrfToken}}">{{/page.csrfToken}}
        <title>{{page.title}} · Keel</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/assets/dashboard.css">
        <script src="/assets/dashboard.js" defer></script>
        </head>
        <body>
        <header class="topbar">
          <a class="brand" href="/">Keel</a>
          <nav class="nav">{{#page.nav}}<a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{title}}</a>{{/page.nav}}</nav>
          {{#page.csrfToken}}<form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="{{page.csrfToken}}"><button type="submit" class="link-button">Log out</button></form>{{/page.csrfToken}}
        </header>
        <main>
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """

    static let login = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>Log in · Keel</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/assets/dashboard.css">
        </head>
        <body class="login-page">
        <main class="login">
          <h1>Keel</h1>
          <p>Enter an API key of this server to open its dashboard.</p>
          {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
          <form method="post" action="/login" id="login-form">
            <input type="hidden" name="_csrf" value="{{csrfToken}}">
            <input type="hidden" name="next" value="{{next}}">
            <label for="key">API key</label>
            <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
            <button type="submit">Log in</button>
          </form>
          <p class="muted small">The key is checked once; the browser then keeps a session cookie (HttpOnly, SameSite=Strict).</p>
        </main>
        </body>
        </html>
        """

    static let error = """
        {{<layout}}{{$body}}
        <h1>{{title}}</h1>
        <p class="error" role="alert">{{message}}</p>
        <p><a href="/">Back to the runs</a></p>
        {{/body}}{{/layout}}
        """

    static let confirm = """
        {{<layout}}{{$body}}
        <h1>{{title}}</h1>
        <p class="confirm-question" data-count="{{count}}">{{question}}</p>
        {{#hasMore}}<p class="muted">The first {{shownCount}} of them:</p>{{/hasMore}}
        <ul class="confirm-list mono">{{#shown}}<li><a href="/runs/{{id}}">{{shortID}}</a> {{task}} <span class="status status-{{status}}">{{status}}</span></li>{{/shown}}</ul>
        <form method="post" action="/bulk" class="confirm-form">
          <input type="hidden" name="_csrf" value="{{page.csrfToken}}">
          <input type="hidden" name="action" value="{{action}}">
          <input type="hidden" name="confirmed" value="1">
          {{#ids}}<input type="hidden" name="run" value="{{.}}">{{/ids}}
          <button type="submit" class="danger" id="confirm-button">{{button}}</button>
          <a href="{{backURL}}">Back</a>
        </form>
        {{/body}}{{/layout}}
        """
}
