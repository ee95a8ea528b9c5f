/// The console's style sheet, inline in the page (its SHA-256 is in the page's Content-Security-Policy).
enum ConsoleStyle {
    static let css = #"""
        :root {
          --ink: #1d2330; --muted: #5b6472; --line: #dde1e7; --paper: #ffffff; --ground: #f4f5f7;
          --accent: #2457c5; --ok: #1f7a3d; --ok-bg: #e3f4e8; --warn: #8a5a00; --warn-bg: #fdf1d8;
          --bad: #b3261e; --bad-bg: #fbe4e2; --code-bg: #f3f4f6;
          --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
        }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        html, body { margin: 0; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          color: var(--ink); background: var(--ground); }
        header.bar { display: flex; align-items: center; gap: 16px; padding: 10px 24px; background: #1f2937; color: #f9fafb; }
        header.bar h1 { font-size: 18px; margin: 0; font-weight: 600; letter-spacing: 0.01em; }
        header.bar h1 span { font-weight: 400; color: #cbd5e1; }
        header.bar .status { flex: 1; margin: 0; font-size: 12.5px; color: #cbd5e1; }
        header.bar .status.error { color: #fecaca; }
        main { max-width: 1260px; margin: 0 auto; padding: 16px 20px 32px; }
        .card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px 14px; margin-bottom: 16px; }
        .card h2 { font-size: 15px; margin: 0; font-weight: 600; }
        .section-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; }
        .section-head .actions { margin-left: auto; display: flex; gap: 8px; }
        .section-head label { margin-left: auto; color: var(--muted); }
        .hint { color: var(--muted); font-size: 12.5px; margin: 4px 0 8px; }
        .section-head .hint { margin: 0; }
        .count { color: var(--muted); font-weight: 400; }
        .empty { color: var(--muted); font-style: italic; margin: 8px 0 4px; }
        .mono, code, pre { font-family: var(--mono); font-size: 12.5px; }
        button { font: inherit; font-size: 13px; padding: 4px 12px; border: 1px solid #b8c0cc; border-radius: 4px;
          background: #f9fafb; color: var(--ink); cursor: pointer; }
        button:hover:not(:disabled) { background: #eef1f5; }
        button:disabled { opacity: 0.5; cursor: default; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { color: var(--bad); border-color: #e3a29d; }
        header.bar button { background: transparent; color: #f9fafb; border-color: #6b7280; }
        header.bar button:hover:not(:disabled) { background: #374151; }
        input, select { font: inherit; padding: 4px 8px; border: 1px solid #b8c0cc; border-radius: 4px; background: #fff; }
        input:focus, select:focus, button:focus-visible { outline: 2px solid #9db7ee; outline-offset: 1px; }
        .login { max-width: 460px; margin: 48px auto; }
        .login form { display: flex; flex-direction: column; gap: 8px; margin-top: 10px; }
        .login form button { align-self: flex-start; }
        .message { margin: 8px 0; padding: 6px 10px; border-radius: 4px; background: #eef3fc; border: 1px solid #c9d7f2; }
        .message.error { background: var(--bad-bg); border-color: #efb8b3; color: var(--bad); }
        table { width: 100%; border-collapse: collapse; }
        th { text-align: left; font-size: 11.5px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em;
          padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
        td { padding: 6px 8px; border-bottom: 1px solid #eceef2; vertical-align: top; }
        th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.url, td.key { word-break: break-all; }
        td.error-text { max-width: 22rem; overflow-wrap: anywhere; }
        td.actions { white-space: nowrap; }
        td.actions button + button { margin-left: 6px; }
        #channels tbody tr { cursor: pointer; }
        #channels tbody tr:hover { background: #f7f9fc; }
        #channels tbody tr.selected { background: #eaf1ff; }
        #channels td.alert { color: var(--bad); font-weight: 600; }
        tr.detail td { padding-top: 0; border-bottom: 1px solid var(--line); }
        #dead-letters tr.delivery td { border-bottom: 0; }
        details summary { cursor: pointer; color: var(--accent); font-size: 12.5px; }
        pre { background: var(--code-bg); border: 1px solid #e5e7eb; border-radius: 4px; padding: 8px 10px; margin: 6px 0 2px;
          max-height: 22rem; overflow: auto; white-space: pre; }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; line-height: 18px;
          background: #eceef2; color: var(--muted); }
        .badge.ok { background: var(--ok-bg); color: var(--ok); }
        .badge.warn { background: var(--warn-bg); color: var(--warn); }
        .badge.bad { background: var(--bad-bg); color: var(--bad); }
        .columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
        .columns .card { margin-bottom: 0; }
        ol.live { list-style: none; margin: 0; padding: 0; max-height: 34rem; overflow: auto; }
        ol.live > li { border-top: 1px solid #eceef2; padding: 8px 2px; }
        ol.live > li:first-child { border-top: 0; }
        .webhook-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; }
        .muted { color: var(--muted); }
        ul.calls { list-style: none; margin: 4px 0 0; padding: 0 0 0 14px; }
        ul.calls li { margin: 4px 0; }
        ul.calls .call-head { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
        #lookup { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
        #lookup input { width: 10rem; }
        dl.fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 8px 0; }
        dl.fields dt { color: var(--muted); }
        dl.fields dd { margin: 0; overflow-wrap: anywhere; }
        @media (max-width: 980px) { .columns { grid-template-columns: minmax(0, 1fr); } }
        """#
}
