extension DashboardTemplates {
    static let tasks = """
        {{<layout}}{{$body}}
        <h1>Tasks</h1>
        <div class="table-wrap">
        <table class="tasks" id="tasks-table">
        <thead><tr><th>Task</th><th>Version</th><th>Queue</th><th>Recent runs</th><th>Success rate</th><th>Last run</th></tr></thead>
        <tbody>
        {{#tasks}}<tr><td><a href="{{runsURL}}">{{name}}</a></td><td>{{version}}</td><td><a href="/queues">{{queue}}</a></td><td>{{recentCount}}{{#recentSummary}} <span class="muted small">({{recentSummary}})</span>{{/recentSummary}}</td>
        <td>{{#successRate}}<span class="rate" data-rate="{{successRate}}">{{successRate}}</span>{{/successRate}}{{^successRate}}<span class="muted">no finished runs</span>{{/successRate}}</td>
        <td>{{#lastRunAt}}<time datetime="{{lastRunAt}}">{{lastRunAt}}</time>{{/lastRunAt}}{{^lastRunAt}}—{{/lastRunAt}}</td></tr>{{/tasks}}
        </tbody>
        </table>
        </div>
        <p class="muted small">Success rate: completed among the last {{window}} finished runs of each task.</p>
        {{/body}}{{/layout}}
        """

    static let queues = """
        {{<layout}}{{$body}}
        <h1>Queues</h1>
        <div class="table-wrap">
        <table class="queues" id="queues-table">
        <thead><tr><th>Queue</th><th>Depth (queued)</th><th>Running</th><th>Waiting</th><th>Parked</th><th>Concurrency limit</th><th>Per key</th><th>Rate limit</th><th>Tasks</th></tr></thead>
        <tbody>
        {{#queues}}<tr><td>{{name}}</td><td>{{queued}}</td><td>{{running}}</td><td>{{waiting}}</td><td>{{parked}}</td><td>{{concurrencyLimit}}</td><td>{{perKeyLimit}}</td><td>{{rateLimit}}</td><td>{{#tasks}}<a href="{{url}}">{{name}}</a> {{/tasks}}</td></tr>{{/queues}}
        </tbody>
        </table>
        </div>
        {{/body}}{{/layout}}
        """

    static let schedules = """
        {{<layout}}{{$body}}
        <h1>Schedules</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#hasSchedules}}
        <div class="table-wrap">
        <table class="schedules" id="schedules-table">
        <thead><tr><th>Schedule</th><th>Task</th><th>Cron</th><th>Time zone</th><th>Next run</th><th>Last run</th><th>State</th><th></th></tr></thead>
        <tbody>
        {{#schedules}}<tr id="schedule-{{id}}"><td class="mono">{{id}}{{#declared}} <span class="muted small">declared</span>{{/declared}}</td><td><a href="{{runsURL}}">{{task}}</a></td><td class="mono">{{cron}}</td><td>{{timeZone}}</td>
        <td>{{#enabled}}{{#nextRunAt}}<time datetime="{{nextRunAt}}">{{nextRunAt}}</time>{{/nextRunAt}}{{/enabled}}{{^enabled}}<span class="muted">paused</span>{{/enabled}}</td>
        <td>{{#lastRunID}}<a class="mono" href="/runs/{{lastRunID}}">{{#lastRunAt}}<time datetime="{{lastRunAt}}">{{lastRunAt}}</time>{{/lastRunAt}}</a>{{/lastRunID}}{{^lastRunID}}—{{/lastRunID}}</td>
        <td><span class="status status-{{stateClass}}">{{state}}</span></td>
        <td><form method="post" action="/schedules/{{id}}/{{toggleAction}}"><input type="hidden" name="_csrf" value="{{page.csrfToken}}"><button type="submit">{{toggleLabel}}</button></form></td></tr>{{/schedules}}
        </tbody>
        </table>
        </div>
        {{/hasSchedules}}
        {{^hasSchedules}}<p class="muted">No schedules. Tasks declare them with <code>static var schedules</code>, or create one with <code>POST /api/v1/schedules</code>.</p>{{/hasSchedules}}
        {{/body}}{{/layout}}
        """
}
