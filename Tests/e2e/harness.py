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

    def __init__(self, workdir, *options):
        self.port = free_port()
        self.log = open(Path(workdir) / f"upstream-{self.port}.log", "w")
        self.proc = subprocess.Popen([BIN, "mock-upstream", "--port", str(self.port), *options], stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: request(self.port, "GET", "/_calls")[0] == 200, what="mock-upstream")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def calls(self):
        status, body, _ = request(self.port, "GET", "/_calls")
        assert status == 200
        return json.loads(body)["items"]

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
                 retry="{ maxAttempts: 5, initialBackoffSeconds: 0.1, maxBackoffSeconds: 0.5 }", store=None, extra_args=(), store_yaml=None):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.store = store or str(self.workdir / "gangway.sqlite")
        self.config = self.workdir / f"gangway-{self.port}.yaml"
        public = f"  publicURL: {public_url}\n" if public_url else ""
        proxies = ", ".join(f'"{t}"' for t in trusted)
        self.config.write_text(
            f"server:\n  host: 127.0.0.1\n  port: {self.port}\n{public}  trustedProxies: [{proxies}]\n"
            f"admin: {{ token: {admin_token} }}\n"
            f"upstream:\n  baseURL: {upstream_url}\n  apiKey: e2e-default-key\n  timeoutSeconds: 5\n  retry: {retry}\n"
            f"store: {store_yaml or '{ path: ' + self.store + ' }'}\n"
            f"channels:\n{channels}\n")
        self.extra_args = list(extra_args)
        self.proc = None
        self.log_path = None

    def start(self):
        self.log_path = self.workdir / f"gateway-{self.port}-{int(time.time() * 1000)}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, "serve", "--config", str(self.config), *self.extra_args], stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.proc.poll() is None and request(self.port, "GET", "/readyz")[0] == 200, what="gateway /readyz")
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


class TempDir:
    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="gangway-e2e-")
        return self._tmp.name

    def __exit__(self, *exc):
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
