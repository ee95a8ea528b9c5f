"""Faults around the gateway (issue 12): the store's disk full, a corrupt or unwritable store at start,
a chatbot API that hangs, resets, answers garbage, answers too late or does not resolve. The gateway never
answers a false 200, never dies, and delivers every acknowledged call exactly once per idempotency key, in
order per conversation, once things are healthy again.

Everything listens on 127.0.0.1; every wait and count is bounded; mounts, sockets and processes are
removed at the end of each test. The disk-full test mounts a small tmpfs (root); where mounting is not
allowed it lowers the gateway's RLIMIT_FSIZE instead (EFBIG rather than ENOSPC), and says so.
"""
import errno
import json
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # harness, also when run as a file path
from harness import (BIN, ROOT, Gateway, TempDir, Upstream, check_deliveries, free_port, request, telegram_channel, telegram_headers,
                     telegram_update, wait_until)

SHORT_RETRY = "{ maxAttempts: 1000, initialBackoffSeconds: 0.1, maxBackoffSeconds: 0.5, maxAgeSeconds: 3600 }"


def _delivered(up):
    return [c for c in up.calls() if c["status"] == 200]


def _post_until_200(gw, body, timeout):
    """A provider's retry: posts until 200 or `timeout`; returns the statuses seen."""
    seen, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            status = gw.post("/webhooks/tg", body, telegram_headers(), timeout=5)[0]
        except OSError as e:
            status = type(e).__name__
        seen.append(status)
        if status == 200:
            break
        time.sleep(0.2)
    return seen


# MARK: - the store's disk

class StoreDisk:
    """A small filesystem for the store that the test can fill (ENOSPC) and free again. A tmpfs mount
    where allowed; otherwise the gateway's RLIMIT_FSIZE is lowered to the store files' sizes (EFBIG)."""

    def __init__(self, directory, size_mb=16):
        self.path = Path(directory)
        self.path.mkdir()
        self.mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(self.path)],
                                      capture_output=True).returncode == 0
        self.filler = self.path / "filler"
        self.pid = None

    @property
    def how(self):
        return "tmpfs full (ENOSPC)" if self.mounted else "RLIMIT_FSIZE (EFBIG)"

    @staticmethod
    def preexec():
        # An ignored SIGXFSZ makes a write past RLIMIT_FSIZE fail with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def fill(self):
        """Fills the disk; returns the bytes written (tmpfs) or the file size limit set (rlimit)."""
        if not self.mounted:
            # Only the soft limit: raising it again later needs no privilege.
            limit = max(f.stat().st_size for f in self.path.glob("*.sqlite*"))
            _, hard = resource.prlimit(self.pid, resource.RLIMIT_FSIZE)
            resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (limit, hard))
            return limit
        written = 0
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (1 << 20, 64 << 10, 4 << 10, 512):
                block = b"\0" * chunk
                while True:
                    try:
                        n = os.write(fd, block)
                    except OSError as e:
                        if e.errno in (errno.ENOSPC, errno.EFBIG):
                            break
                        raise
                    written += n
                    if n < chunk:
                        break
        finally:
            os.close(fd)
        return written

    def free(self):
        if not self.mounted:
            _, hard = resource.prlimit(self.pid, resource.RLIMIT_FSIZE)
            resource.prlimit(self.pid, resource.RLIMIT_FSIZE, (hard, hard))
        elif self.filler.exists():
            self.filler.unlink()

    def remove(self):
        if self.mounted:
            if subprocess.run(["umount", str(self.path)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.mounted = False


class DiskFullTest(unittest.TestCase):
    def test_store_disk_full_answers_503_never_a_false_200_and_recovers(self):
        with TempDir() as tmp:
            disk = StoreDisk(Path(tmp) / "disk")
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel(), retry=SHORT_RETRY, store=str(disk.path / "gangway.sqlite"),
                         preexec_fn=StoreDisk.preexec)
            try:
                gw.start()
                disk.pid = gw.proc.pid
                acked, statuses = set(), []
                text = "x" * 8000  # large calls, so that a few commits need new pages of the WAL
                for n in range(20):
                    uid, body = telegram_update(1 + n % 4, n // 4, f"{text}-{1 + n % 4}-{n // 4}")
                    self.assertEqual(gw.post("/webhooks/tg", body, telegram_headers())[0], 200)
                    acked.add(uid)
                wait_until(lambda: len(_delivered(up)) >= 20, timeout=20, what="warm-up delivered")

                filled = disk.fill()
                pending = []  # (chat, n, body) not acknowledged: the provider sends it again later
                i = 20
                while i < 600 and not pending:
                    chat, n = 1 + i % 4, i // 4
                    uid, body = telegram_update(chat, n, f"{text}-{chat}-{n}")
                    status = gw.post("/webhooks/tg", body, telegram_headers(), timeout=15)[0]
                    statuses.append(status)
                    if status == 200:
                        acked.add(uid)
                    else:
                        pending.append((uid, body))
                    i += 1
                # While the disk stays full: the same webhook again, and first messages of other chats.
                for chat in range(20, 26):
                    uid, body = telegram_update(chat, 0, f"{text}-{chat}-0")
                    status = gw.post("/webhooks/tg", body, telegram_headers(), timeout=15)[0]
                    statuses.append(status)
                    (acked.add(uid) if status == 200 else pending.append((uid, body)))
                again = gw.post("/webhooks/tg", pending[0][1], telegram_headers(), timeout=15)[0] if pending else None
                ready_while_full = request(gw.port, "GET", "/readyz")[0]
                alive_while_full = gw.proc.poll() is None
                time.sleep(1)  # the dispatcher runs against the full disk too (marking calls delivered)
                self.assertIsNone(gw.proc.poll(), "the gateway died on a full disk:\n" + gw.output()[-3000:])

                disk.free()
                recovered = []
                for uid, body in pending:
                    seen = _post_until_200(gw, body, timeout=20)
                    recovered.append(seen)
                    if seen[-1] == 200:
                        acked.add(uid)
                for n in range(200, 220):
                    uid, body = telegram_update(1 + n % 4, n, f"after-{n}")
                    self.assertEqual(gw.post("/webhooks/tg", body, telegram_headers())[0], 200)
                    acked.add(uid)
                keys = {f"tg:{u}" for u in acked}
                wait_until(lambda: {c["idempotencyKey"] for c in _delivered(up)} >= keys, timeout=40, what="every acknowledged webhook delivered")
                calls = _delivered(up)
                errors = [line for line in gw.output().splitlines() if re.search(r" (error|critical|warning) ", line)]
                gw.stop()

                first_503 = statuses.index(503) + 20 if 503 in statuses else None
                print(f"\ndisk full ({disk.how}, {filled} bytes {'of filler' if disk.mounted else 'file size limit'}): statuses while full "
                      f"{ {s: statuses.count(s) for s in set(statuses)} }, first 503 at webhook {first_503}, the same webhook again: {again}, "
                      f"/readyz while full: {ready_while_full}; after freeing: {[len(r) for r in recovered]} tries until 200; "
                      f"{len(acked)} acknowledged, {len({c['idempotencyKey'] for c in calls})} delivered, {len(calls) - len({c['idempotencyKey'] for c in calls})} repeats")
                kinds = sorted({re.sub(r"^\S+ (\w+) .*?(SQLite error \d+: [^-]*).*?\[(\w+)\] ([^:;]*).*$", r"\1 \3: \4 (\2)", line) for line in errors})
                for kind in kinds[:8]:
                    print("  gateway log:", kind[:240])

                self.assertTrue(alive_while_full)
                self.assertIn(503, statuses, f"the store never refused a commit on a full disk ({disk.how}): no real disk-full was tested")
                self.assertLessEqual(set(statuses), {200, 503}, "a full disk must give 503 (the provider retries), nothing else")
                self.assertTrue(all(r and r[-1] == 200 for r in recovered), f"not accepted again after space was freed: {recovered}")
                delivered, repeats = check_deliveries(self, calls, keys, exactly=True)
                self.assertEqual(len(delivered), len(keys))
            finally:
                try:
                    gw.stop()
                finally:
                    up.stop()
                    disk.remove()


# MARK: - a store that cannot be opened at start

class StoreAtStartTest(unittest.TestCase):
    def _serve_fails(self, tmp, store_path):
        """`gangway serve` with this store path: exit 1 within a few seconds, a line naming the path."""
        gw = Gateway(tmp, "http://127.0.0.1:9", telegram_channel(), store=str(store_path))
        t = time.monotonic()
        try:
            p = subprocess.run([BIN, "serve", "--config", str(gw.config)], capture_output=True, text=True, timeout=15)
        except subprocess.TimeoutExpired:
            self.fail(f"gangway serve with store {store_path} still runs after 15 s")
        seconds = time.monotonic() - t
        output = p.stdout + p.stderr
        naming = [line for line in output.splitlines() if str(store_path) in line]
        print(f"\nstore {store_path}: exit {p.returncode} after {seconds:.2f} s: "
              f"{(output.strip().splitlines() or [''])[-1][:300]}")
        self.assertEqual(p.returncode, 1, output)
        self.assertLess(seconds, 10)
        self.assertTrue(naming, f"no line names the store path {store_path}:\n{output}")
        return output

    def test_corrupt_store_file(self):
        with TempDir() as tmp:
            path = Path(tmp) / "gangway.sqlite"
            path.write_bytes(os.urandom(64 * 1024))
            self._serve_fails(tmp, path)

    def test_store_path_under_a_file(self):
        with TempDir() as tmp:
            (Path(tmp) / "not-a-directory").write_text("a file where a directory is expected\n")
            self._serve_fails(tmp, Path(tmp) / "not-a-directory" / "gangway.sqlite")

    def test_store_on_a_read_only_filesystem(self):
        with TempDir() as tmp:
            ro = Path(tmp) / "ro"
            ro.mkdir()
            if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)], capture_output=True).returncode != 0:
                os.chmod(ro, 0o555)
                if os.geteuid() == 0:
                    self.skipTest("cannot mount a read-only tmpfs here, and root writes through a read-only mode")
            try:
                self._serve_fails(tmp, ro / "gangway.sqlite")
            finally:
                subprocess.run(["umount", str(ro)], capture_output=True)


# MARK: - a hostile chatbot API

class FaultyAPI:
    """A chatbot API that misbehaves in one `mode` (switchable while it runs), on 127.0.0.1:`port`:
    `hang` (reads the request, never answers), `reset` (reads it, then a TCP reset), `garbage` (bytes that
    are not HTTP, then close), `garbage200` (200 with an HTML body), `slow` (200 `{}` after `slow_seconds`).
    Records (mode, idempotency key) of every request."""

    def __init__(self, port=None, mode="hang", slow_seconds=2.5):
        self.port = port or free_port()
        self.mode = mode
        self.slow_seconds = slow_seconds
        self.attempts = []
        self._lock = threading.Lock()
        self._open = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(256)
        self._listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            with self._lock:
                self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn):
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        while m and len(body) < int(m.group(1)):
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        key = re.search(rb"(?im)^idempotency-key:\s*(\S+)", head)
        return key.group(1).decode() if key else None

    def _serve(self, conn):
        mode = self.mode
        try:
            key = self._read_request(conn)
            with self._lock:
                self.attempts.append((mode, key))
            if mode == "hang":
                self._stop.wait()  # holds the socket open until stop()
            elif mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif mode == "garbage":
                conn.sendall(b"\x16\x03\x01\x00garbage, not HTTP at all\r\n\r\n\xff\xfe")
            elif mode == "garbage200":
                body = b"<html>oops, not JSON</html>"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            elif mode == "slow":
                if not self._stop.wait(self.slow_seconds):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def count(self, mode):
        with self._lock:
            return sum(1 for m, _ in self.attempts if m == mode)

    def stop(self):
        self._stop.set()
        self._listener.close()
        self._thread.join(2)
        with self._lock:
            for c in self._open:
                try:
                    c.close()
                except OSError:
                    pass


class Senders:
    """Providers posting signed webhooks of `chats` conversations, each in order, each retried until 200,
    one every `interval` seconds per chat, until stopped."""

    def __init__(self, gw, chats, interval=0.1, first_chat=1):
        self.gw, self.interval = gw, interval
        self.acked, self.statuses = [], []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(c,), daemon=True) for c in range(first_chat, first_chat + chats)]
        for t in self._threads:
            t.start()

    def _run(self, chat):
        n = 0
        while not self._stop.is_set():
            uid, body = telegram_update(chat, n)
            try:
                status = self.gw.post("/webhooks/tg", body, telegram_headers(), timeout=10)[0]
            except OSError as e:
                status = type(e).__name__
            with self._lock:
                self.statuses.append(status)
                if status == 200:
                    self.acked.append(uid)
            if status == 200:
                n += 1
            self._stop.wait(self.interval)

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(15)


class UpstreamFaultTest(unittest.TestCase):
    def test_hanging_resetting_garbage_and_slow_api_then_a_healthy_one_takes_over(self):
        phases = (("hang", 2.0), ("reset", 1.5), ("garbage", 1.5), ("slow", 3.0))
        with TempDir() as tmp:
            api = FaultyAPI(mode=phases[0][0])
            gw = Gateway(tmp, f"http://127.0.0.1:{api.port}", telegram_channel(), retry=SHORT_RETRY, timeout_seconds=1).start()
            senders, up = None, None
            try:
                senders = Senders(gw, chats=4)
                seen = {}
                for mode, seconds in phases:
                    api.mode = mode
                    time.sleep(seconds)
                    seen[mode] = api.count(mode)
                    self.assertIsNone(gw.proc.poll(), f"the gateway died while the API was in mode {mode}:\n" + gw.output()[-3000:])
                    self.assertEqual(request(gw.port, "GET", "/readyz")[0], 200)
                senders.stop()
                api.stop()
                up = Upstream(tmp, port=api.port)  # a healthy stand-in on the same address
                keys = {f"tg:{u}" for u in senders.acked}
                t = time.monotonic()
                wait_until(lambda: {c["idempotencyKey"] for c in _delivered(up)} >= keys, timeout=60, what="every acknowledged call delivered")
                recovery = time.monotonic() - t
                time.sleep(1)  # a late repeat would show now
                calls = _delivered(up)
                statuses = {s: senders.statuses.count(s) for s in set(senders.statuses)}
                print(f"\nhostile API: attempts it received per mode {seen}; webhooks answered {statuses}; {len(keys)} acknowledged, "
                      f"{len({c['idempotencyKey'] for c in calls})} delivered by the healthy stand-in {recovery:.1f} s after it took over, "
                      f"{len(calls) - len({c['idempotencyKey'] for c in calls})} repeats, 0 lost")
                self.assertEqual(set(senders.statuses), {200}, "queued webhooks must be acknowledged whatever the API does")
                for mode, _ in phases:
                    self.assertGreater(seen[mode], 0, f"no attempt reached the API in mode {mode}")
                delivered, repeats = check_deliveries(self, calls, keys, exactly=True)
                self.assertEqual(repeats, 0, "a call was delivered twice by the healthy stand-in")
            finally:
                if senders:
                    senders.stop()
                api.stop()
                gw.stop()
                if up:
                    up.stop()

    def test_unresolvable_api_host_then_a_healthy_one(self):
        with TempDir() as tmp:
            gw = Gateway(tmp, "http://gangway-nonexistent.invalid:9", telegram_channel(), retry=SHORT_RETRY, timeout_seconds=1).start()
            up = None
            try:
                acked = []
                for n in range(10):
                    uid, body = telegram_update(1 + n % 2, n)
                    self.assertEqual(gw.post("/webhooks/tg", body, telegram_headers())[0], 200)
                    acked.append(uid)
                time.sleep(2)
                status, listing, _ = gw.admin("GET", "/deliveries?state=pending")
                self.assertEqual(status, 200)
                self.assertIsNone(gw.proc.poll(), gw.output()[-3000:])
                self.assertEqual(gw.terminate(timeout=30), 0, "SIGTERM while every attempt fails on DNS")
                up = Upstream(tmp)
                gw.config.write_text(gw.config.read_text().replace("http://gangway-nonexistent.invalid:9", up.url))
                gw.start()
                keys = {f"tg:{u}" for u in acked}
                wait_until(lambda: {c["idempotencyKey"] for c in _delivered(up)} >= keys, timeout=30, what="delivery after the fix")
                calls = _delivered(up)
                errors = sorted(set(re.findall(r'"lastError"\s*:\s*"([^"]{0,120})', listing)))
                print(f"\nunresolvable API host: 10 acknowledged and pending, last errors {errors}; after the fix "
                      f"{len({c['idempotencyKey'] for c in calls})} delivered, {len(calls) - len({c['idempotencyKey'] for c in calls})} repeats")
                check_deliveries(self, calls, keys, exactly=True)
            finally:
                gw.stop()
                if up:
                    up.stop()


# MARK: - voice (direct delivery) against a hostile API

VOICE_TOKEN = "e2e-twilio-voice-token"
VOICE_CHANNEL = ("      - { id: voice, name: Voice, provider: twilio-voice, chatbotId: bot_voice, deadlineSeconds: 2,\n"
                 "          fallback: { say: \"Sorry, the hotline is down.\", then: hangup }, secrets: { authToken: %s } }" % VOICE_TOKEN)


def _voice_start(gw, call_sid):
    from twilio.request_validator import RequestValidator
    params = dict(urllib.parse.parse_qsl((ROOT / "adapters" / "twilio-voice" / "samples" / "start.form").read_text().strip()))
    params["CallSid"] = call_sid
    url = f"http://127.0.0.1:{gw.port}/webhooks/voice"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": RequestValidator(VOICE_TOKEN).compute_signature(url, params)}
    t = time.monotonic()
    status, body, _ = gw.post("/webhooks/voice", urllib.parse.urlencode(params).encode(), headers, timeout=15)
    return status, body, time.monotonic() - t


class VoiceFaultTest(unittest.TestCase):
    def test_voice_caller_hears_the_fallback_when_the_api_answers_garbage_or_hangs(self):
        with TempDir() as tmp:
            api = FaultyAPI(mode="garbage200")
            gw = Gateway(tmp, f"http://127.0.0.1:{api.port}", VOICE_CHANNEL, retry=SHORT_RETRY, timeout_seconds=1).start()
            try:
                results = {}
                for i, mode in enumerate(("garbage200", "hang", "garbage", "reset")):
                    api.mode = mode
                    results[mode] = _voice_start(gw, f"CA{i:032d}")
                self.assertIsNone(gw.proc.poll(), gw.output()[-3000:])
                wanted = {f"voice:CA{i:032d}:start" for i in range(4)}
                listed = lambda: gw.admin("GET", "/deliveries?state=dead&channel=voice")
                try:
                    wait_until(lambda: {d["idempotencyKey"] for d in json.loads(listed()[1])["items"]} >= wanted, timeout=5, what="dead letters")
                except AssertionError:
                    pass  # asserted below, with what is listed
                status, dead, _ = listed()
                print("\nvoice against a hostile API: " + "; ".join(f"{m}: {s} after {t:.2f} s, fallback {'said' if 'hotline is down' in b else 'MISSING'}"
                                                                    for m, (s, b, t) in results.items()) + f"; dead letters: {len(json.loads(dead)['items']) if status == 200 else dead}")
                for mode, (s, body, seconds) in results.items():
                    self.assertEqual(s, 200, f"{mode}: {body}")
                    self.assertIn("hotline is down", body, f"{mode}: the caller did not hear the fallback: {body}")
                    self.assertLess(seconds, 2 + 2.5, f"{mode}: the fallback came after the channel's deadline")
                self.assertEqual(status, 200)
                dead_keys = {d["idempotencyKey"] for d in json.loads(dead)["items"]}
                self.assertEqual(dead_keys, wanted, "each failed call is a dead letter")
            finally:
                api.stop()
                gw.stop()


if __name__ == "__main__":
    unittest.main()
