"""Starts the real `gangway` binary and its stand-in chatbot API on loopback for end-to-end tests.

Everything listens on 127.0.0.1 on free ports; every wait is bounded; processes are stopped at
the end of each test. The binary is $GANGWAY_BIN, else .build/debug/gangway.
"""
import http.client
from collections import defaultdict
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("GANGWAY_BIN", str(ROOT / ".build" / "debug" / "gangway"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=b"", headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.getheaders())
    finally:
        conn.close()


def wait_until(condition, timeout=20, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def run_cli(*args, timeout=60, env=None):
    """Runs a gangway command; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    return p.returncode, p.stdout, p.stderr


class Upstream:
    """`gangway mock-upstream` in its own process (it survives a gateway's kill -9)."""

    def __init__(self, workdir, *options, port=None):
        """`port`: listen there (e.g. to take over from a stand-in that was stopped); default a free port."""
        self.port = port or free_port()
        self.log = open(Path(workdir) / f"upstream-{self.port}.log", "w")
        self.proc = subprocess.Popen([BIN, "mock-upstream", "--port", str(self.port), *options], stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: request(self.port, "GET", "/_calls")[0] == 200, what="mock-upstream")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def calls(self):
        status, body, _ = request(self.port, "GET", "/_calls")
        assert status == 200
        items = json.loads(body)["items"]
        check_envelopes(items)
        return items

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


class Gateway:
    """`gangway serve` with a generated config. `channels` is YAML text of the channel list."""

    def __init__(self, workdir, upstream_url, channels, public_url=None, trusted=("::1/128",), admin_token="e2e-admin-token",
                 retry="{ maxAttempts: 5, initialBackoffSeconds: 0.1, maxBackoffSeconds: 0.5 }", store=None, extra_args=(), store_yaml=None,
                 server_yaml="", timeout_seconds=5, api_key="e2e-default-key", preexec_fn=None):
        """`server_yaml`: more lines of the `server` section (indented two spaces, each ending in a newline), e.g.
        "  idleTimeoutSeconds: 2\n"; `preexec_fn` runs in the child before `gangway serve` (e.g. to raise its limits)."""
        self.workdir = Path(workdir)
        self.port = free_port()
        self.admin_token = admin_token
        self.store = store or str(self.workdir / "gangway.sqlite")
        self.config = self.workdir / f"gangway-{self.port}.yaml"
        public = f"  publicURL: {public_url}\n" if public_url else ""
        proxies = ", ".join(f'"{t}"' for t in trusted)
        self.config.write_text(
            f"server:\n  host: 127.0.0.1\n  port: {self.port}\n{public}  trustedProxies: [{proxies}]\n{server_yaml}"
            f"admin: {{ token: {admin_token} }}\n"
            f"upstream:\n  baseURL: {upstream_url}\n  apiKey: {api_key}\n  timeoutSeconds: {timeout_seconds}\n  retry: {retry}\n"
            f"store: {store_yaml or '{ path: ' + self.store + ' }'}\n"
            f"channels:\n{channels}\n")
        record_secrets_of_config(self.config.read_text())
        self.extra_args = list(extra_args)
        self.preexec_fn = preexec_fn
        self.proc = None
        self.log_path = None

    def start(self):
        self.log_path = self.workdir / f"gateway-{self.port}-{int(time.time() * 1000)}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "serve", "--config", str(self.config), *self.extra_args], stdout=self.log, stderr=subprocess.STDOUT,
                                     preexec_fn=self.preexec_fn)
        wait_until(lambda: self.proc.poll() is None and request(self.port, "GET", "/readyz")[0] == 200, what="gateway /readyz")
        learn_envelope_schema(self.port, self.admin_token)
        return self

    def post(self, path, body, headers=None, timeout=10):
        return request(self.port, "POST", path, body, headers, timeout)

    def get(self, path, headers=None):
        return request(self.port, "GET", path, b"", headers)

    def admin(self, method, path):
        return request(self.port, method, "/admin" + path, b"", {"Authorization": "Bearer e2e-admin-token"})

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.log.close()

    def terminate(self, timeout=30):
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # A gateway that does not drain in time is a failure; kill it so that the suite goes on,
            # and show its last log lines, which say what it was waiting for.
            self.proc.kill()
            self.proc.wait(10)
            self.log.close()
            raise AssertionError(f"gateway did not stop within {timeout} s of SIGTERM; its log ends:\n{self.output()[-4000:]}")
        self.log.close()
        return code

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.terminate()

    def output(self):
        return Path(self.log_path).read_text() if self.log_path else ""


# MARK: - every forwarded body against the envelope's JSON Schema (GET /admin/schema/upstream-envelope.json)

ENVELOPE_SCHEMA = None
ENVELOPES_CHECKED = 0


def learn_envelope_schema(port, token):
    """Fetches the schema from a running gateway once; `Upstream.calls()` checks every body with it."""
    global ENVELOPE_SCHEMA
    if ENVELOPE_SCHEMA is not None:
        return
    status, body, _ = request(port, "GET", "/admin/schema/upstream-envelope.json", headers={"Authorization": f"Bearer {token}"})
    if status == 200:
        ENVELOPE_SCHEMA = json.loads(body)


def check_envelopes(items):
    """Raises when a body the gateway forwarded does not match the schema (the stand-in records every call)."""
    global ENVELOPES_CHECKED
    if ENVELOPE_SCHEMA is None:
        return
    import jsonschema
    validator = jsonschema.Draft202012Validator(ENVELOPE_SCHEMA)
    for item in items:
        body = item.get("body")
        if body is None:
            continue
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        if errors:
            raise AssertionError(f"forwarded body does not match the envelope schema: {errors[0].message} at {list(errors[0].path)}: {body}")
        ENVELOPES_CHECKED += 1


class TempDir:
    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gangway-e2e-")
        return self._tmp.name

    def __exit__(self, *exc):
        keep_logs(self._tmp.name)
        self._tmp.cleanup()


def check_deliveries(test, calls, acknowledged_keys, exactly=False):
    """What the crash and replica tests promise about the calls the stand-in API answered 200:
    no message under two idempotency keys, every acknowledged key delivered (with `exactly`, nothing
    else), and per conversation the first delivery of each call in the order the provider sent them
    (keys end in a number that grows with that order). Returns (delivered keys, repeats)."""
    keys_per_message = defaultdict(set)
    for c in calls:
        keys_per_message[c["body"]["message"]["text"]].add(c["idempotencyKey"])
    test.assertTrue(all(len(k) == 1 for k in keys_per_message.values()), "a message under two idempotency keys")
    delivered = {c["idempotencyKey"] for c in calls}
    if exactly:
        test.assertEqual(delivered, set(acknowledged_keys))
    else:
        test.assertFalse(set(acknowledged_keys) - delivered, "an acknowledged webhook was lost")
    first_seen, seen = defaultdict(list), set()
    for c in calls:
        if c["idempotencyKey"] not in seen:
            seen.add(c["idempotencyKey"])
            first_seen[c["body"]["providerId"]].append(int(c["idempotencyKey"].rsplit(":", 1)[1]))
    for conversation, ids in first_seen.items():
        test.assertEqual(ids, sorted(ids), f"conversation {conversation} out of order")
    return delivered, len(calls) - len(delivered)


# MARK: - secrets ledger and kept logs (scripts/check_secrets.py reads both)

def check_secrets_module():
    """scripts/check_secrets.py as a module (one reading of what a secret is, for the harness and the script)."""
    global _check_secrets
    if _check_secrets is None:
        import importlib.util
        spec = importlib.util.spec_from_file_location("check_secrets", ROOT / "scripts" / "check_secrets.py")
        _check_secrets = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_check_secrets)
    return _check_secrets


_check_secrets = None


def secret_values_of_config(text):
    """The secret values a config text holds."""
    return check_secrets_module().secret_values_of_config(text)


def record_secrets(values):
    """Appends secret values a test wrote into a config to the file named by $GANGWAY_SECRETS_LEDGER (one a
    line, for scripts/check_secrets.py); does nothing when it is not set."""
    ledger = os.environ.get("GANGWAY_SECRETS_LEDGER")
    if not ledger or not values:
        return
    with open(ledger, "a") as f:
        for v in sorted(values):
            if "\n" not in v:
                f.write(v + "\n")


def record_secrets_of_config(text):
    """Records the secret values of a config text the test wrote (only when $GANGWAY_SECRETS_LEDGER is set)."""
    if os.environ.get("GANGWAY_SECRETS_LEDGER"):
        record_secrets(secret_values_of_config(text))


def keep_logs(directory):
    """Copies every *.log under `directory` into $GANGWAY_E2E_LOG_DIR when it is set (so that a whole run's
    gateway and stand-in logs can be checked for secrets after their temp dirs are gone)."""
    target = os.environ.get("GANGWAY_E2E_LOG_DIR")
    if not target:
        return
    import shutil
    os.makedirs(target, exist_ok=True)
    for path in Path(directory).rglob("*.log"):
        try:
            shutil.copyfile(path, Path(target) / f"{int(time.time() * 1e6)}-{os.getpid()}-{path.name}")
        except OSError:
            pass


# MARK: - process figures and limits

def rss_kb(pid):
    """VmRSS of a process in KiB (Linux), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def open_sockets(pid):
    """How many sockets a process holds open (Linux)."""
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        return None
    return n


def raise_nofile(wanted=65536):
    """Raises this process's RLIMIT_NOFILE soft limit towards `wanted` (capped at the hard limit, raised too
    when allowed); returns the soft limit now in force. Also usable as a `preexec_fn`."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
        except (ValueError, OSError):
            wanted = hard
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return wanted


def percentile(values, p):
    """The p-th percentile (0..100, nearest rank) of a list of numbers."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(round(p / 100 * len(ordered) + 0.5))))
    return ordered[rank - 1]


# MARK: - signed Telegram webhooks (the simplest provider to sign: a secret token header)

E2E_TELEGRAM_SECRET = "e2e-telegram-secret"


def telegram_channel(channel_id="tg", secret=E2E_TELEGRAM_SECRET, chatbot="bot_tg"):
    return "      - { id: %s, name: %s, provider: telegram, chatbotId: %s, secrets: { secretToken: %s } }" % (channel_id, channel_id.upper(), chatbot, secret)


def telegram_update(chat, n, text=None):
    """A Telegram update of chat `chat`, its `n`-th message; its key is `<channel>:<update_id>` and
    update_id grows with `n` (what `check_deliveries` needs)."""
    update_id = chat * 100000 + n
    body = {"update_id": update_id, "message": {"message_id": n, "chat": {"id": chat, "type": "private"}, "date": 1764064800,
                                                "text": text if text is not None else f"{chat}-{n}"}}
    return update_id, json.dumps(body).encode()


def telegram_headers(secret=E2E_TELEGRAM_SECRET):
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
