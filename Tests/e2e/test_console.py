"""The administrators' console (GET /console, issue 15) in a real headless browser.

Debian's chromium driven by its chromedriver through Selenium (Tests/e2e/requirements-console.txt;
scripts/test.sh installs all three): sign in with the admin token, watch a webhook arrive and its
call become a dead letter, replay it from the page once the chatbot API is back, and watch it become
delivered, all read from the page. Also: the token lives only in the tab's session storage, a wrong
token (at sign-in or later) shows the login form with a message, and the page's headers.
Skipped, with the reason, when chromium, chromedriver or selenium is missing.
"""
import base64
import hashlib
import json
import os
import shutil
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (Gateway, TempDir, Upstream, request, telegram_channel, telegram_headers,  # noqa: E402
                     telegram_update)

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None


def _first(*candidates):
    for c in candidates:
        path = shutil.which(c) if not c.startswith("/") else (c if os.access(c, os.X_OK) else None)
        if path:
            return path
    return None


CHROMIUM = _first("chromium", "chromium-browser", "/usr/lib/chromium/chromium")
CHROMEDRIVER = _first("chromedriver", "/usr/lib/chromium/chromedriver")


def browser_missing():
    """Why the browser test cannot run here, or None."""
    if not CHROMIUM:
        return "chromium is not installed (Debian: apt-get install chromium chromium-driver; scripts/test.sh does)"
    if not CHROMEDRIVER:
        return "chromedriver is not installed (Debian: apt-get install chromium-driver; scripts/test.sh does)"
    if webdriver is None:
        return "selenium is not installed (pip install -r Tests/e2e/requirements-console.txt; scripts/test.sh does)"
    return None


def inline(page, tag):
    """The text of the page's one inline <tag> element."""
    start = page.index(f"<{tag}>") + len(tag) + 2
    return page[start:page.index(f"</{tag}>", start)]


def csp_hash(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class ConsolePageTest(unittest.TestCase):
    """What GET /console answers, read without a browser."""

    def test_headers_and_what_the_script_never_does(self):
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel()).start()
            try:
                status, page, headers = request(gw.port, "GET", "/console")
            finally:
                gw.stop()
                up.stop()
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(headers["Cache-Control"], "no-store")
        policy = dict((d.strip().split(" ", 1) + [""])[:2] for d in headers["Content-Security-Policy"].split(";"))
        self.assertEqual(policy["default-src"], "'none'")
        self.assertEqual(policy["connect-src"], "'self'")
        self.assertEqual(policy["frame-ancestors"], "'none'")
        self.assertEqual(policy["form-action"], "'none'")
        self.assertEqual(policy["base-uri"], "'none'")
        # Only the page's own inline script and style may run: their hashes, nothing else.
        script, style = inline(page, "script"), inline(page, "style")
        self.assertEqual(policy["script-src"], csp_hash(script))
        self.assertEqual(policy["style-src"], csp_hash(style))
        self.assertEqual(page.count("<script"), 1)
        self.assertNotIn("http://", page)
        self.assertNotIn("https://", page)
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                          "localStorage", "document.cookie", "setTimeout('", 'setTimeout("'):
            self.assertNotIn(forbidden, script)
        self.assertIn("sessionStorage", script)


@unittest.skipIf(browser_missing(), browser_missing() or "")
class ConsoleBrowserTest(unittest.TestCase):
    """The whole console in chromium, against a gateway and a stand-in chatbot API on loopback."""

    def setUp(self):
        self.tmp = TempDir()
        workdir = self.tmp.__enter__()
        self.addCleanup(self.tmp.__exit__, None, None, None)
        # A chatbot API that refuses every call with a status that is not retried: a dead letter at once.
        self.upstream = Upstream(workdir, "--fail-rate", "1", "--fail-status", "400")
        self.addCleanup(lambda: self.upstream.stop())
        self.gateway = Gateway(workdir, self.upstream.url, telegram_channel("tg")).start()
        self.addCleanup(self.gateway.stop)
        self.token = self.gateway.admin_token
        self.workdir = workdir
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800",
                         "--no-first-run", "--disable-extensions", "--disable-background-networking"):
            options.add_argument(argument)
        if os.geteuid() == 0:
            options.add_argument("--no-sandbox")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.addCleanup(self.driver.quit)
        self.driver.set_page_load_timeout(20)
        self.driver.set_script_timeout(10)

    # MARK: reading the page

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def until(self, condition, what, timeout=20):
        """Waits for condition(driver) to be truthy (every 0.1 s, at most `timeout` s); returns its value."""
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
            lambda d: condition(d), f"timed out after {timeout}s waiting for {what}")

    def text(self, selector):
        """textContent of the first element that matches, or None."""
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", selector)

    def visible(self, element_id):
        return self.js("const e = document.getElementById(arguments[0]); return !!e && e.getClientRects().length > 0;", element_id)

    def sign_in(self, token):
        field = self.until(lambda d: d.find_element(By.ID, "token"), "the token field")
        self.until(lambda d: field.is_displayed(), "the login form")
        self.assertEqual(field.get_attribute("type"), "password")
        field.clear()
        field.send_keys(token)
        self.driver.find_element(By.CSS_SELECTOR, "form#login button[type=submit]").click()

    def login_message(self):
        return self.text("#login-message") if self.visible("login-message") else None

    # MARK: the scenario

    def test_sign_in_watch_a_webhook_replay_its_dead_letter_and_sign_out(self):
        self.driver.get(f"http://127.0.0.1:{self.gateway.port}/console")
        self.assertEqual(self.driver.title, "Gangway console")

        # A wrong token: the login form says so, and nothing is kept.
        self.sign_in("not-the-admin-token")
        message = self.until(lambda d: self.login_message(), "the login error")
        self.assertIn("401", message)
        self.assertFalse(self.visible("app"))
        self.assertEqual(self.js("return sessionStorage.length"), 0)

        # The right token: the channels table with the channel's row.
        self.sign_in(self.token)
        row = "#channels tr[data-channel='tg']"
        self.until(lambda d: self.text(f"{row} td[data-field='provider']") == "telegram", "the channel's row")
        self.assertTrue(self.visible("app"))
        self.assertFalse(self.visible("login-section"))
        self.assertTrue(self.text(f"{row} td[data-field='url']").endswith("/webhooks/tg"))
        self.assertEqual(self.text(f"{row} td[data-field='pending']"), "0")
        self.assertEqual(self.text(f"{row} td[data-field='verificationFailures']"), "0")
        self.until(lambda d: self.text("#dead-empty") and self.visible("dead-empty"), "no dead letters yet")

        # One webhook whose text is markup: the page must show it as text, never run or parse it.
        markup = '<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>'
        update_id, body = telegram_update(42, 1, text="Hallo " + markup)
        key = f"tg:{update_id}"
        status, _, _ = self.gateway.post("/webhooks/tg", body, telegram_headers())
        self.assertEqual(status, 200)

        # The live view shows it with its outcome, status and its call.
        item = "#live-list li[data-outcome='accepted']"
        self.until(lambda d: self.text(f"{item} li.call[data-key='{key}'] [data-field='idempotencyKey']") == key, "the webhook in the live view")
        self.assertEqual(self.text(f"{item} [data-field='status']"), "HTTP 200")
        envelope = json.loads(self.text(f"{item} li.call[data-key='{key}'] pre[data-field='envelope']"))
        self.assertEqual(envelope["channelId"], "tg")
        self.assertEqual(envelope["message"]["text"], "Hallo " + markup)

        # Its received rate shows on the channel's row, and the call becomes a dead letter.
        self.until(lambda d: float(self.js(f"return document.querySelector(\"{row} td[data-field='received']\").dataset.rate || 0")) > 0,
                   "a received rate above 0")
        dead = "#dead-letters tr.delivery"
        self.until(lambda d: self.text(f"{dead} td[data-field='idempotencyKey']") == key, "the dead letter")
        delivery_id = self.js(f"return document.querySelector(\"{dead}\").dataset.delivery")
        self.assertEqual(self.js(f"return document.querySelectorAll(\"{dead}\").length"), 1)
        self.assertEqual(self.text(f"{dead} td[data-field='lastStatus']"), "400")
        self.assertTrue(self.text(f"{dead} td[data-field='lastError']"))
        self.assertEqual(self.text("#dead-count"), "(1)")
        dead_envelope = json.loads(self.text(f"tr[data-envelope-of='{delivery_id}'] pre[data-field='envelope']"))
        self.assertEqual(dead_envelope["message"]["text"], "Hallo " + markup)
        self.until(lambda d: self.js(f"return document.querySelector(\"{row} td[data-field='dead']\").dataset.total") == "1",
                   "the channel's dead total")

        # Nothing the API returned was run or parsed as markup.
        self.assertIsNone(self.js("return window.__injected"))
        self.assertEqual(self.js("return document.querySelectorAll('img, #live-list script, #dead-body script').length"), 0)

        # The token is in the tab's session storage and nowhere else the page can put it.
        self.assertEqual(self.js("return sessionStorage.length"), 1)
        self.assertTrue(self.js("return sessionStorage.getItem(sessionStorage.key(0)) === arguments[0]", self.token))
        self.assertEqual(self.js("return localStorage.length"), 0)
        self.assertEqual(self.js("return document.cookie"), "")
        self.assertEqual(self.js("return document.getElementById('token').value"), "")
        self.assertFalse(self.token in self.driver.current_url, "the token is in the page's address")
        self.assertFalse(self.token in self.driver.page_source, "the token is in the page's markup")
        self.assertFalse(self.token in self.js("return document.documentElement.textContent"), "the token is in the page's text")

        # The chatbot API is back (a working stand-in on the same port): replay from the page.
        self.upstream.stop()
        self.upstream = Upstream(self.workdir, port=self.upstream.port)
        self.driver.find_element(By.CSS_SELECTOR, f"tr[data-delivery='{delivery_id}'] button[data-action='replay']").click()
        result = self.until(lambda d: self.text("#action-result") if self.visible("action-result") else None, "the replay's result")
        self.assertIn(f"Replayed delivery {delivery_id}: 1 call back in the queue", result)
        self.until(lambda d: self.visible("dead-empty") and not self.visible("dead-letters"), "the dead-letter list to empty")
        self.until(lambda d: self.text("#lookup-result [data-field='state']") == "delivered", "the lookup to show delivered")
        self.assertEqual(self.text("#lookup-result [data-field='id']"), str(delivery_id))
        self.assertEqual(self.text("#lookup-result [data-field='idempotencyKey']"), key)
        self.assertEqual(self.text("#lookup-result [data-field='lastStatus']"), "200")
        calls = self.upstream.calls()
        self.assertEqual([c["idempotencyKey"] for c in calls], [key])
        self.assertEqual(calls[0]["body"]["message"]["text"], "Hallo " + markup)

        # Sign out: the token and everything shown are gone from the tab.
        self.driver.find_element(By.ID, "signout").click()
        self.until(lambda d: self.visible("login-section") and not self.visible("app"), "the login form after signing out")
        self.assertEqual(self.js("return sessionStorage.length"), 0)
        self.assertEqual(self.js("return document.querySelectorAll('tr[data-channel], tr[data-delivery], #live-list li').length"), 0)

        # A token that stops working mid-session (e.g. changed by a reload): back to the login form with the reason.
        self.sign_in(self.token)
        self.until(lambda d: self.text(f"{row} td[data-field='provider']") == "telegram", "the channel's row again")
        self.js("sessionStorage.setItem(sessionStorage.key(0), 'a-token-that-was-changed')")
        message = self.until(lambda d: self.login_message(), "the login form after a 401")
        self.assertIn("401", message)
        self.assertFalse(self.visible("app"))
        self.assertEqual(self.js("return sessionStorage.length"), 0)

        # The page's own script and style ran under its Content-Security-Policy without a violation.
        violations = [e["message"] for e in self.driver.get_log("browser") if "Content Security Policy" in e["message"]]
        self.assertEqual(violations, [])


if __name__ == "__main__":
    unittest.main()
