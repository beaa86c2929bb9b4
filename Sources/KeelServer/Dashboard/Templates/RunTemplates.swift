extension DashboardTemplates {
    static let run = """
        {{<layout}}{{$body}}
        <p class="breadcrumb"><a href="/">Runs</a> / <span class="mono">{{id}}</span></p>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <div id="run-live" data-run="{{id}}"{{#isActive}} data-live="{{liveURL}}"{{/isActive}} data-panel="{{panelURL}}">
        {{>run_panel}}
        </div>
        <section class="card" id="rerun">
          <h2>Re-run</h2>
          <p class="muted small">Triggers <strong>{{task}}</strong> again with this input (edit it first if you like). The input is checked before anything is sent.</p>
          <form method="post" action="/runs/{{id}}/rerun" id="rerun-form" data-validate="/runs/{{id}}/validate">
            <input type="hidden" name="_csrf" value="{{page.csrfToken}}">
            <textarea name="input" id="rerun-input" rows="8" spellcheck="false" class="mono">{{rerunInput}}</textarea>
            <p class="error" id="rerun-error" role="alert"{{^rerunError}} hidden{{/rerunError}}>{{rerunError}}</p>
            <button type="submit" id="rerun-button">Re-run with this input</button>
          </form>
        </section>
        {{/body}}{{/layout}}
        """

    static let runPanel = """
        <section class="run-header card">
          <div class="run-title">
            <h1>{{task}} <span class="status status-{{status}}" id="run-status">{{status}}</span></h1>
            <div class="run-actions">
              {{#canCancel}}<form method="post" action="/runs/{{id}}/cancel"><input type="hidden" name="_csrf" value="{{page.csrfToken}}"><button type="submit" class="danger" id="cancel-button">Cancel run</button></form>{{/canCancel}}
              {{#canResume}}<form method="post" action="/runs/{{id}}/resume"><input type="hidden" name="_csrf" value="{{page.csrfToken}}"><button type="submit" id="resume-button">Resume</button></form>{{/canResume}}
            </div>
          </div>
          <dl class="facts">
            <div><dt>Run</dt><dd class="mono">{{id}}</dd></div>
            <div><dt>Version</dt><dd>{{version}}</dd></div>
            <div><dt>Queue</dt><dd>{{queue}}</dd></div>
            <div><dt>Attempt</dt><dd>{{attempt}}</dd></div>
            <div><dt>Created</dt><dd><time datetime="{{createdAt}}">{{createdAt}}</time></dd></div>
            <div><dt>Started</dt><dd>{{#startedAt}}<time datetime="{{startedAt}}">{{startedAt}}</time>{{/startedAt}}{{^startedAt}}—{{/startedAt}}</dd></div>
            <div><dt>Finished</dt><dd>{{#finishedAt}}<time datetime="{{finishedAt}}">{{finishedAt}}</time>{{/finishedAt}}{{^finishedAt}}—{{/finishedAt}}</dd></div>
            <div><dt>Duration</dt><dd>{{#duration}}{{duration}}{{/duration}}{{^duration}}—{{/duration}}</dd></div>
            {{#idempotencyKey}}<div><dt>Idempotency key</dt><dd class="mono">{{idempotencyKey}}</dd></div>{{/idempotencyKey}}
            <div><dt>Tags</dt><dd>{{#tags}}<span class="tag">{{.}}</span> {{/tags}}{{^tags}}—{{/tags}}</dd></div>
            {{#parent}}<div><dt>Parent</dt><dd><a class="mono" href="/runs/{{id}}">{{shortID}}</a> {{task}}</dd></div>{{/parent}}
          </dl>
          {{#hasChildren}}<div class="children"><h3>Children</h3><ul>{{#children}}<li><a class="mono" href="/runs/{{id}}">{{shortID}}</a> {{task}} <span class="status status-{{status}}">{{status}}</span></li>{{/children}}</ul></div>{{/hasChildren}}
        </section>
        {{#hasTokens}}
        <section class="card tokens" id="tokens">
          <h2>Waiting for a token</h2>
          {{#tokenError}}<p class="error" role="alert">{{tokenError}}</p>{{/tokenError}}
          {{#tokens}}
          <form method="post" action="/tokens/{{id}}/complete" class="token-form" data-json-form>
            <input type="hidden" name="_csrf" value="{{page.csrfToken}}">
            <input type="hidden" name="run" value="{{runID}}">
            <p>Token <code>{{id}}</code>{{#timeoutAt}}, times out <time datetime="{{timeoutAt}}">{{timeoutAt}}</time>{{/timeoutAt}}</p>
            <label>Payload (JSON) <textarea name="payload" rows="3" class="mono" spellcheck="false">{"approved": true}</textarea></label>
            <p class="error" data-json-error role="alert" hidden></p>
            <button type="submit" class="approve">Approve (complete the token)</button>
          </form>
          {{/tokens}}
        </section>
        {{/hasTokens}}
        <section class="io">
          <div class="card"><h2>Input</h2><pre class="json">{{inputJSON}}</pre></div>
          {{#outputJSON}}<div class="card"><h2>Output</h2><pre class="json" id="run-output">{{outputJSON}}</pre></div>{{/outputJSON}}
          {{#error}}<div class="card error-card"><h2>Error</h2><p><strong>{{type}}</strong></p><pre class="error-message">{{message}}</pre>
            {{#hasCauses}}<h3>Caused by</h3><ol class="causes">{{#causes}}<li><pre>{{.}}</pre></li>{{/causes}}</ol>{{/hasCauses}}</div>{{/error}}
        </section>
        <section class="card">
          <h2>Timeline</h2>
          <div class="timeline-wrap">{{{timelineSVG}}}</div>
          <p class="legend small"><span class="swatch swatch-ok"></span>step <span class="swatch swatch-failed"></span>failed attempt <span class="swatch swatch-backoff"></span>backoff <span class="swatch swatch-wait"></span>sleep or wait <span class="swatch swatch-running"></span>running</p>
        </section>
        <section class="card journal">
          <h2>Journal</h2>
          <div class="journal-layout">
          <div class="table-wrap">
          <table class="journal-table" id="journal">
          <thead><tr><th>#</th><th>Position</th><th>Kind</th><th>Name</th><th>Status</th><th>Duration</th><th>Recorded</th></tr></thead>
          <tbody>
          {{#journal}}<tr class="journal-entry" tabindex="0" data-sequence="{{sequence}}" data-json="{{json}}"><td>{{sequence}}</td><td>{{position}}</td><td class="mono">{{kind}}</td><td>{{name}}{{#attemptLabel}} <span class="muted">{{attemptLabel}}</span>{{/attemptLabel}}</td><td><span class="status status-{{statusClass}}">{{status}}</span></td><td>{{duration}}</td><td><time datetime="{{recordedAt}}">{{recordedAt}}</time></td></tr>{{/journal}}
          {{^journal}}<tr class="empty"><td colspan="7">Nothing journaled yet.</td></tr>{{/journal}}
          </tbody>
          </table>
          </div>
          <div class="entry-detail" id="entry-detail"><h3 id="entry-title">Recorded JSON</h3><pre class="json" id="entry-json">Click an entry to see what it recorded.</pre></div>
          </div>
        </section>
        <section class="card logs">
          <h2>Logs</h2>
          {{#hasLogs}}<div class="table-wrap"><table class="log-table" id="logs"><thead><tr><th>Time</th><th>Level</th><th>Message</th><th>Metadata</th></tr></thead><tbody>
          {{#logs}}<tr class="log-{{level}}"><td><time datetime="{{loggedAt}}" data-precise>{{loggedAt}}</time></td><td><span class="level level-{{level}}">{{level}}</span></td><td>{{message}}</td><td class="mono small">{{metadata}}</td></tr>{{/logs}}
          </tbody></table></div>{{/hasLogs}}
          {{^hasLogs}}<p class="muted" id="logs">No log lines yet (lines the task writes through <code>context.logger</code> appear here).</p>{{/hasLogs}}
        </section>
        """
}
