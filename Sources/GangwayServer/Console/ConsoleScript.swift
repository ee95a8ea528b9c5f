/// The console's script, inline in the page (its SHA-256 is in the page's Content-Security-Policy).
///
/// One strict-mode function scope assembled from parts: this file (helpers, the token, the admin
/// API, sign-in and the poll loop), ``channels`` (the table and its rates), ``deliveries`` (dead
/// letters, their actions, the lookup) and ``live`` (a channel's last webhooks).
/// Rule for every part: a value that came from the API reaches the page only as text
/// (`textContent`, `createElement`, `setAttribute`), never as markup; no `eval`.
enum ConsoleScript {
    static let source = "\n(() => {\n" + [core, channels, deliveries, live, start].joined(separator: "\n") + "})();\n"

    static let core = #"""
        'use strict';
        const TOKEN_KEY = 'gangway.console.adminToken';
        const POLL_MS = 2000;
        const $ = (id) => document.getElementById(id);

        // A new element: props are its class, text, data-* (dataset), on<event> handlers and plain attributes.
        function el(tag, props, ...children) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(props || {})) {
            if (value === undefined || value === null) continue;
            if (key === 'class') node.className = value;
            else if (key === 'text') node.textContent = String(value);
            else if (key === 'dataset') Object.assign(node.dataset, value);
            else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
            else node.setAttribute(key, String(value));
          }
          for (const child of children.flat()) {
            if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
          }
          return node;
        }

        // Puts a value in a node as text ('—' for nothing), touching the node only when it changes.
        function setText(node, value) {
          const text = value === undefined || value === null || value === '' ? '—' : String(value);
          if (node.textContent !== text) node.textContent = text;
        }

        function pretty(value) {
          if (typeof value === 'string') return value;
          try { return JSON.stringify(value, null, 2); } catch (e) { return String(value); }
        }

        function formatTime(iso) {
          if (!iso) return '—';
          const date = new Date(iso);
          if (Number.isNaN(date.getTime())) return String(iso);
          const sameDay = date.toDateString() === new Date().toDateString();
          return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
        }

        function formatAge(seconds) {
          if (seconds === null || seconds === undefined || seconds === '') return '—';
          const s = Number(seconds);
          if (!Number.isFinite(s)) return '—';
          if (s < 60) return s.toFixed(1) + ' s';
          if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
          if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
          return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
        }

        function badgeClass(word) {
          if (['accepted', 'delivered', 'handshake', 'answered'].includes(word)) return 'badge ok';
          if (['pending', 'duplicate', 'ignored'].includes(word)) return 'badge warn';
          if (['handle', 'event', ''].includes(word)) return 'badge';
          return 'badge bad';
        }

        // MARK: the token: this tab's session storage, nowhere else

        const session = {
          get token() { try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; } },
          set(token) { sessionStorage.setItem(TOKEN_KEY, token); },
          clear() { try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage unavailable */ } },
        };

        // MARK: the admin API

        class ApiError extends Error {
          constructor(status, message) { super(message); this.status = status; }
        }
        const STALE = -1;   // an answer for a session that has ended since: dropped silently
        let generation = 0; // grows at each sign-in and sign-out

        async function api(method, path) {
          const token = session.token;
          const mine = generation;
          if (!token) throw new ApiError(STALE, 'signed out');
          let response;
          try {
            response = await fetch(path, {
              method, cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
              headers: { 'Authorization': 'Bearer ' + token, 'Accept': 'application/json' },
            });
          } catch (e) {
            throw new ApiError(0, 'the gateway cannot be reached');
          }
          const body = await response.text().catch(() => '');
          if (mine !== generation) throw new ApiError(STALE, 'signed out');
          let data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          if (response.status === 401) {
            signOut('The admin API refused the token (401): it is wrong, or it was changed. Sign in again.', true);
            throw new ApiError(STALE, 'unauthorized');
          }
          if (!response.ok) {
            const reason = data && typeof data.error === 'string' ? data.error : response.statusText || 'failed';
            throw new ApiError(response.status, reason);
          }
          return data;
        }

        function describe(error) {
          if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
          return error.status > 0 ? error.status + ' ' + error.message : error.message;
        }

        const quiet = (error) => error instanceof ApiError && error.status === STALE;

        function itemsOf(data) { return data && Array.isArray(data.items) ? data.items : []; }

        // MARK: sign-in and sign-out

        function showLoginMessage(text, isError) {
          const node = $('login-message');
          node.textContent = text || '';
          node.className = isError ? 'message error' : 'message';
          node.hidden = !text;
        }

        function setStatus(text, isError) {
          const node = $('status');
          node.textContent = text;
          node.className = isError ? 'status error' : 'status';
        }

        async function signIn(token) {
          session.set(token);
          const mine = ++generation;
          showLoginMessage('', false);
          setStatus('Signing in…', false);
          try {
            const data = await api('GET', '/admin/channels');
            if (mine !== generation) return;
            $('login-section').hidden = true;
            $('app').hidden = false;
            $('signout').hidden = false;
            renderChannels(data);
            startPolling();
          } catch (error) {
            if (quiet(error)) return;
            signOut(error.status === 404
              ? 'This gateway has no admin API (no admin.token in its configuration).'
              : 'Cannot sign in: ' + describe(error), true);
          }
        }

        function signOut(message, isError) {
          session.clear();
          generation++;
          stopPolling();
          resetChannels();
          resetDeliveries();
          resetLive();
          $('app').hidden = true;
          $('signout').hidden = true;
          $('login-section').hidden = false;
          setStatus('', false);
          showLoginMessage(message, isError);
          $('token').value = '';
          $('token').focus();
        }

        // MARK: the poll loop: every part refreshes every 2 s, one round at a time

        let timer = null;

        function startPolling() {
          stopPolling();
          const mine = generation;
          const round = async () => {
            const results = await Promise.allSettled([refreshChannels(), refreshDeadLetters(), refreshLive(), refreshLookup()]);
            if (mine !== generation) return;
            const failed = results.find((r) => r.status === 'rejected' && !quiet(r.reason));
            if (failed) setStatus('Update failed: ' + describe(failed.reason) + ' (trying again every 2 s)', true);
            else setStatus('Updated ' + new Date().toLocaleTimeString() + ' · every 2 s', false);
            timer = setTimeout(round, POLL_MS);
          };
          round();
        }

        function stopPolling() {
          clearTimeout(timer);
          timer = null;
        }

        """#

    static let start = #"""
        // MARK: start

        $('login').addEventListener('submit', (event) => {
          event.preventDefault();
          const token = $('token').value.trim();
          $('token').value = '';
          if (token) signIn(token);
          else showLoginMessage('Enter the admin token.', true);
        });
        $('signout').addEventListener('click', () => signOut('Signed out: the token is gone from this tab.', false));
        $('replay-all').addEventListener('click', replayAll);
        $('purge').addEventListener('click', purgeDeadLetters);
        $('lookup').addEventListener('submit', (event) => {
          event.preventDefault();
          lookUp($('lookup-id').value.trim());
        });
        $('live-channel').addEventListener('change', (event) => selectChannel(event.target.value || null));

        // A reload of the tab keeps the session; a new tab asks again.
        if (session.token) signIn(session.token);
        else $('token').focus();

        """#
}
