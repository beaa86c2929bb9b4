extension DashboardTemplates {
    static let runs = """
        {{<layout}}{{$body}}
        <h1>Runs</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form class="filters" method="get" action="/">
          <label class="wide">Search <input type="search" name="q" value="{{filters.q}}" placeholder="run id or idempotency key"></label>
          <label>Task <select name="task"><option value="">any</option>{{#filters.tasks}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/filters.tasks}}</select></label>
          <label>Status <select name="status"><option value="">any</option>{{#filters.statuses}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/filters.statuses}}</select></label>
          <label>Tag <input name="tag" value="{{filters.tag}}" size="10"></label>
          <label>From <input type="datetime-local" name="from" value="{{filters.from}}"></label>
          <label>To <input type="datetime-local" name="to" value="{{filters.to}}"></label>
          <input type="hidden" name="tz" value="{{filters.tz}}" data-timezone-offset>
          <span class="filter-buttons"><button type="submit">Filter</button> <a href="/">Clear</a></span>
        </form>
        <form id="bulk" method="post" action="/bulk" class="bulk-actions" data-bulk>
          <input type="hidden" name="_csrf" value="{{page.csrfToken}}">
          {{#filters.fields}}<input type="hidden" name="filter.{{name}}" value="{{value}}">{{/filters.fields}}
          <span class="muted small" data-selection-count>0 selected</span>
          <button name="action" value="cancel-selected" type="submit">Cancel selected</button>
          <button name="action" value="rerun-selected" type="submit">Re-run selected</button>
          <button name="action" value="cancel-matching" type="submit">Cancel all matching</button>
          <button name="action" value="rerun-matching" type="submit">Re-run all matching</button>
        </form>
        <div class="table-wrap">
        <table class="runs" id="runs-table"{{#liveURL}} data-live="{{liveURL}}"{{/liveURL}}>
        <thead><tr><th class="check"><input type="checkbox" data-select-all aria-label="Select every run on this page"></th><th>Run</th><th>Task</th><th>Status</th><th>Started</th><th>Duration</th><th>Attempts</th><th>Tags</th></tr></thead>
        <tbody id="runs-body">
        {{#runs}}{{>run_row}}{{/runs}}
        {{^runs}}<tr class="empty"><td colspan="8">No runs match.</td></tr>{{/runs}}
        </tbody>
        </table>
        </div>
        <nav class="pager">{{#firstPageURL}}<a href="{{firstPageURL}}">« Newest</a>{{/firstPageURL}} {{#nextPageURL}}<a href="{{nextPageURL}}" rel="next">Older »</a>{{/nextPageURL}}</nav>
        {{/body}}{{/layout}}
        """

    static let runRow = """
        <tr id="run-{{id}}" class="run-row" data-run="{{id}}" data-status="{{status}}">
        <td class="check"><input type="checkbox" form="bulk" name="run" value="{{id}}" aria-label="Select run {{shortID}}"></td>
        <td><a class="mono" href="/runs/{{id}}" title="{{id}}">{{shortID}}</a></td>
        <td>{{task}}</td>
        <td><span class="status status-{{status}}">{{status}}</span></td>
        <td>{{#startedAt}}<time datetime="{{startedAt}}">{{startedAt}}</time>{{/startedAt}}{{^startedAt}}<span class="muted">queued <time datetime="{{createdAt}}">{{createdAt}}</time></span>{{/startedAt}}</td>
        <td>{{duration}}</td>
        <td>{{attempts}}</td>
        <td>{{#tags}}<a class="tag" href="{{url}}">{{name}}</a> {{/tags}}</td>
        </tr>
        """
}
