extension DashboardAssets {
    /// The dashboard's style sheet: light and dark colours from `prefers-color-scheme`, a layout
    /// that reflows on a narrow screen, status colours shared by tables and the timeline.
    static let styles = #"""
    :root {
      color-scheme: light dark;
      --bg: #f6f7f9; --panel: #ffffff; --text: #1b1f24; --muted: #5b6470; --border: #d9dde3; --accent: #2457c5;
      --ok: #1f883d; --failed: #cf222e; --warn: #bf8700; --wait: #6e7781; --running: #2f6feb; --queued: #8250df; --cancelled: #6e7781;
      --code-bg: #f0f2f5; --row-hover: #eef3fd; --notice-bg: #e8f5ec; --error-bg: #fdecec;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0f1216; --panel: #171b21; --text: #e6e9ee; --muted: #9aa4b1; --border: #2c333d; --accent: #6d9eff;
        --ok: #3fb950; --failed: #f85149; --warn: #d29922; --wait: #8b949e; --running: #58a6ff; --queued: #a371f7; --cancelled: #8b949e;
        --code-bg: #11151a; --row-hover: #1d2633; --notice-bg: #12261a; --error-bg: #2d1416;
      }
    }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
    a { color: var(--accent); text-decoration: none; }
    a:hover { text-decoration: underline; }
    .mono, code, pre, textarea.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
    .muted { color: var(--muted); }
    .small { font-size: 12px; }
    h1 { font-size: 22px; margin: 4px 0 14px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
    h2 { font-size: 16px; margin: 0 0 10px; }
    h3 { font-size: 14px; margin: 12px 0 6px; }
    .topbar { display: flex; align-items: center; gap: 18px; padding: 10px 20px; background: var(--panel); border-bottom: 1px solid var(--border); flex-wrap: wrap; }
    .brand { font-weight: 700; font-size: 17px; color: var(--text); letter-spacing: .3px; }
    .nav { display: flex; gap: 4px; flex-wrap: wrap; }
    .nav a { padding: 5px 10px; border-radius: 6px; color: var(--text); }
    .nav a[aria-current="page"] { background: var(--row-hover); color: var(--accent); font-weight: 600; }
    .logout { margin-left: auto; }
    main { padding: 18px 20px 40px; max-width: 1400px; margin: 0 auto; }
    button, .button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); color: var(--text); cursor: pointer; }
    button:hover { border-color: var(--accent); }
    button.danger { border-color: var(--failed); color: var(--failed); }
    button.approve { border-color: var(--ok); color: var(--ok); font-weight: 600; }
    .link-button { border: none; background: none; color: var(--accent); padding: 0; }
    input, select, textarea { font: inherit; padding: 5px 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--panel); color: var(--text); }
    textarea { width: 100%; resize: vertical; }
    textarea[aria-invalid="true"] { border-color: var(--failed); }
    .card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 16px; margin-bottom: 14px; }
    .notice { background: var(--notice-bg); border: 1px solid var(--ok); padding: 8px 12px; border-radius: 6px; }
    .error { background: var(--error-bg); border: 1px solid var(--failed); padding: 8px 12px; border-radius: 6px; white-space: pre-wrap; }
    p.error[hidden] { display: none; }
    .filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; margin-bottom: 10px; }
    .filters label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
    .filters label.wide input { min-width: 240px; }
    .bulk-actions { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
    .table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; }
    .card .table-wrap { border: none; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--border); vertical-align: top; white-space: nowrap; }
    td:last-child { white-space: normal; }
    th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--code-bg); }
    tbody tr:hover { background: var(--row-hover); }
    tr.fresh { animation: fresh 2s ease-out; }
    @keyframes fresh { from { background: var(--notice-bg); } to { background: transparent; } }
    th.check, td.check { width: 28px; }
    .status { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
    .status-completed { color: var(--ok); }
    .status-failed, .status-expired, .status-parked { color: var(--failed); }
    .status-running { color: var(--running); }
    .status-waiting { color: var(--warn); }
    .status-queued { color: var(--queued); }
    .status-cancelled { color: var(--cancelled); }
    .tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: var(--code-bg); border: 1px solid var(--border); font-size: 12px; color: var(--text); }
    .pager { display: flex; gap: 16px; margin-top: 10px; }
    .breadcrumb { margin: 0 0 8px; color: var(--muted); }
    .run-title { display: flex; justify-content: space-between; align-items: flex-start; gap: 12px; flex-wrap: wrap; }
    .run-actions { display: flex; gap: 8px; }
    .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 18px; margin: 0; }
    .facts div { min-width: 0; }
    .facts dt { font-size: 12px; color: var(--muted); }
    .facts dd { margin: 0; overflow-wrap: anywhere; }
    .children ul { margin: 0; padding-left: 18px; }
    .io { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 14px; }
    pre.json, .error-card pre { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; padding: 10px; overflow: auto; max-height: 360px; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .causes { padding-left: 20px; }
    .causes pre { margin: 4px 0; white-space: pre-wrap; }
    .timeline-wrap { overflow-x: auto; }
    svg.timeline { width: 100%; min-width: 720px; height: auto; display: block; }
    svg.timeline .row-label { fill: var(--text); font-size: 12px; }
    svg.timeline .child-link .row-label { fill: var(--accent); }
    svg.timeline .tick { stroke: var(--border); stroke-width: 1; }
    svg.timeline .tick-label { fill: var(--muted); font-size: 11px; }
    svg.timeline .bar-note { fill: var(--muted); font-size: 11px; }
    svg.timeline .bar-ok { fill: var(--ok); }
    svg.timeline .bar-failed { fill: var(--failed); }
    svg.timeline .bar-backoff { fill: url(#hatch); stroke: var(--warn); stroke-width: 1; }
    svg.timeline .hatch-stripe { fill: var(--warn); }
    svg.timeline .bar-wait { fill: transparent; stroke: var(--wait); stroke-width: 1.5; stroke-dasharray: 4 3; }
    svg.timeline .bar-running { fill: var(--running); opacity: .8; }
    svg.timeline .bar-queued { fill: var(--queued); opacity: .35; }
    svg.timeline .bar-marker { fill: var(--queued); }
    svg.timeline .bar-cancelled { fill: var(--cancelled); }
    .legend { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; color: var(--muted); margin: 8px 0 0; }
    .swatch { display: inline-block; width: 18px; height: 10px; border-radius: 2px; vertical-align: middle; }
    .swatch-ok { background: var(--ok); }
    .swatch-failed { background: var(--failed); }
    .swatch-backoff { background: repeating-linear-gradient(45deg, var(--warn) 0 3px, transparent 3px 6px); border: 1px solid var(--warn); }
    .swatch-wait { border: 1.5px dashed var(--wait); }
    .swatch-running { background: var(--running); }
    .journal-layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 14px; align-items: start; }
    .journal-entry { cursor: pointer; }
    .journal-entry.selected { background: var(--row-hover); outline: 2px solid var(--accent); outline-offset: -2px; }
    .entry-detail { position: sticky; top: 10px; }
    .entry-detail h3 { margin-top: 0; }
    .level { font-size: 11px; font-weight: 700; text-transform: uppercase; }
    .level-error, .level-critical { color: var(--failed); }
    .level-warning { color: var(--warn); }
    .level-info, .level-notice { color: var(--running); }
    .level-debug, .level-trace { color: var(--muted); }
    .token-form { border-top: 1px solid var(--border); padding-top: 8px; margin-top: 8px; }
    .token-form label { display: block; margin: 6px 0; }
    .confirm-question { font-size: 16px; font-weight: 600; }
    .confirm-form { display: flex; gap: 14px; align-items: center; }
    .confirm-list { padding-left: 18px; }
    .login-page { display: grid; place-items: center; min-height: 100vh; }
    .login { width: min(380px, 92vw); background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 24px; }
    .login form { display: flex; flex-direction: column; gap: 8px; }
    .login h1 { margin-top: 0; }
    @media (max-width: 720px) {
      main { padding: 12px 10px 30px; }
      .topbar { padding: 8px 10px; gap: 10px; }
      .journal-layout { grid-template-columns: 1fr; }
      .entry-detail { position: static; }
      .filters label, .filters label.wide input { min-width: 0; width: 100%; }
      .filters label.wide { flex-basis: 100%; }
      .io { grid-template-columns: 1fr; }
      h1 { font-size: 19px; }
    }
    """#
}
