import Foundation
import GangwayCore
import HTTPTypes

/// The administrators' console (`GET /console`): one page, no build step, no CDN. It asks for
/// the admin token, keeps it in the tab's session storage only, and uses the admin API.
///
/// The document is assembled from the markup below, ``ConsoleStyle/css`` and ``ConsoleScript/source``.
/// Everything the API returns is put in the page as text (`textContent`, `createElement`), never as
/// markup; the response's Content-Security-Policy allows only this page's own inline style and
/// script (by their SHA-256) and requests to the same origin.
enum ConsolePage {
    static let html = head + "<style>" + ConsoleStyle.css + "</style>\n</head>\n" + body + "<script>" + ConsoleScript.source + "</script>\n</body>\n</html>\n"

    /// Same origin only, no frames, no forms sent anywhere, and only the page's own style and script.
    static let contentSecurityPolicy = [
        "default-src 'none'",
        "script-src \(sha256Source(ConsoleScript.source))",
        "style-src \(sha256Source(ConsoleStyle.css))",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// The headers of `GET /console`.
    static let headers: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy: contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    /// A CSP hash source (`'sha256-…'`) of an inline element's exact text.
    static func sha256Source(_ text: String) -> String {
        "'sha256-" + Data(Signatures.sha256(Array(text.utf8))).base64EncodedString() + "'"
    }

    private static let head = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Gangway console</title>
        <link rel="icon" href="data:,">

        """#

    private static let body = #"""
        <body>
        <header class="bar">
          <h1>Gangway <span>console</span></h1>
          <p id="status" class="status" role="status" aria-live="polite"></p>
          <button type="button" id="signout" hidden>Sign out</button>
        </header>
        <main>
        <section id="login-section" class="card login">
          <h2>Sign in</h2>
          <form id="login" autocomplete="off">
            <label for="token">Admin token (<code>admin.token</code> in the gateway's configuration)</label>
            <input type="password" id="token" autocomplete="off" spellcheck="false" required>
            <button type="submit" class="primary">Sign in</button>
          </form>
          <p id="login-message" class="message" role="alert" hidden></p>
          <p class="hint">The token stays in this tab: it is kept in the tab's session storage, sent only as the bearer token
            of this gateway's admin API, never put in a cookie or in an address, and gone when you sign out or close the tab.</p>
        </section>

        <div id="app" hidden>
        <section class="card" id="channels-section">
          <div class="section-head">
            <h2>Channels</h2>
            <p class="hint">Rates per second between the last two readings (every 2 s); a cell's tooltip has the total since the
              gateway started. Click a row to watch its webhooks.</p>
          </div>
          <table id="channels">
            <thead><tr>
              <th>Channel</th><th>Provider</th><th>Webhook URL</th>
              <th class="num">Received/s</th><th class="num">Refused/s</th><th class="num">Forwarded/s</th><th class="num">Dead/s</th>
              <th class="num" title="Webhooks whose signature or token failed, since the gateway started">Verif. failures</th>
              <th class="num" title="Calls waiting to be forwarded">Pending</th><th class="num">Oldest pending</th>
            </tr></thead>
            <tbody id="channels-body"></tbody>
          </table>
          <p id="channels-empty" class="empty" hidden>No channel is configured.</p>
        </section>

        <section class="card" id="dead-section">
          <div class="section-head">
            <h2>Dead letters <span id="dead-count" class="count"></span></h2>
            <div class="actions">
              <button type="button" id="replay-all" title="Every dead letter back into the queue">Replay all</button>
              <button type="button" id="purge" class="danger" title="Delete every dead letter">Purge all…</button>
            </div>
          </div>
          <p id="action-result" class="message" role="status" hidden></p>
          <table id="dead-letters" hidden>
            <thead><tr>
              <th>Id</th><th>Channel</th><th>Kind</th><th class="num">Attempts</th><th class="num">Last status</th><th>Last error</th>
              <th>Idempotency key</th><th>Received</th><th></th>
            </tr></thead>
            <tbody id="dead-body"></tbody>
          </table>
          <p id="dead-empty" class="empty">No dead letters.</p>
        </section>

        <div class="columns">
        <section class="card" id="live-section">
          <div class="section-head">
            <h2>Live webhooks</h2>
            <label>Channel <select id="live-channel"></select></label>
          </div>
          <p class="hint">The channel's last webhooks, newest first: what the gateway answered and the calls it made of them.</p>
          <ol id="live-list" class="live"></ol>
          <p id="live-empty" class="empty">No webhook on this channel since the gateway started.</p>
        </section>

        <section class="card" id="lookup-section">
          <h2>Look up a delivery</h2>
          <form id="lookup" autocomplete="off">
            <label for="lookup-id">Delivery id</label>
            <input id="lookup-id" inputmode="numeric" spellcheck="false">
            <button type="submit">Look up</button>
          </form>
          <p id="lookup-message" class="message" hidden></p>
          <div id="lookup-result" hidden>
            <dl class="fields">
              <dt>Id</dt><dd class="mono" data-field="id"></dd>
              <dt>State</dt><dd><span class="badge" data-field="state"></span></dd>
              <dt>Channel</dt><dd class="mono" data-field="channel"></dd>
              <dt>Provider</dt><dd data-field="provider"></dd>
              <dt>Kind</dt><dd data-field="kind"></dd>
              <dt>Attempts</dt><dd data-field="attempts"></dd>
              <dt>Last status</dt><dd data-field="lastStatus"></dd>
              <dt>Last error</dt><dd data-field="lastError"></dd>
              <dt>Idempotency key</dt><dd class="mono" data-field="idempotencyKey"></dd>
              <dt>Received</dt><dd data-field="createdAt"></dd>
              <dt>Queued</dt><dd data-field="queuedAt"></dd>
              <dt>Next attempt</dt><dd data-field="nextAttemptAt"></dd>
              <dt>Delivered</dt><dd data-field="deliveredAt"></dd>
            </dl>
            <details><summary>Envelope</summary><pre data-field="envelope"></pre></details>
            <p class="hint">Refreshed every 2 s: a replayed call shows <code>pending</code>, then <code>delivered</code>.</p>
          </div>
        </section>
        </div>
        </div>
        </main>

        """#
}
