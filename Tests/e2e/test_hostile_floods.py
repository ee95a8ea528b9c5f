"""Floods of sockets that a stranger can open cost the gateway neither its webhooks nor its memory
(issue 12). Every socket is on 127.0.0.1; every wait and count is bounded; every socket and process is
closed at the end of each test.

- 1,000 idle connections and slow ones (half a header; headers then 1 byte of a declared 1 MB body;
  a byte every 3 s) held at once: real signed webhooks keep being answered 200 within their normal
  latency, every one is delivered, and the RSS stays bounded.
- `server.idleTimeoutSeconds`: those sockets are closed by the server within about that time.
- `server.maxConnections`: connections past it are refused or wait, the process never falls over, and
  once the flood is gone webhooks are answered again.
"""
import http.client
import os
import selectors
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # harness, also when run as a file path
from harness import (Gateway, TempDir, Upstream, open_sockets, percentile, raise_nofile, rss_kb, telegram_channel,
                     telegram_headers, telegram_update, wait_until)

IDLE = 1000
HALF_HEADER = 100
STALLED_BODY = 100
TRICKLE = 50
TRICKLE_INTERVAL = 3.0  # seconds between bytes: longer than the idle timeout of the idle test
REAL_WEBHOOKS = 150
MAX_DURING = 1500  # real webhooks sent at most while the flood opens and is held
OPENERS = 8  # threads opening the hostile sockets
DECLARED_BODY = 1_000_000  # under maxBodyBytes (1 MiB), so the gateway waits for it rather than answering 413


def _raise_gateway_nofile():
    raise_nofile(65536)


def _connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Flood:
    """The hostile sockets, opened at once and held until `close()`; a thread trickles a byte every
    TRICKLE_INTERVAL seconds on the trickle sockets (until they are closed by the server or by us)."""

    def __init__(self, port, idle=IDLE, half_header=HALF_HEADER, stalled_body=STALLED_BODY, trickle=TRICKLE):
        self.port = port
        self.opened_at = {}
        self.kind = {}
        self.failed_to_connect = 0
        self.slow_connects = 0
        self.sockets = []
        head = (f"POST /webhooks/tg HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"X-Telegram-Bot-Api-Secret-Token: e2e-telegram-secret\r\nContent-Length: {DECLARED_BODY}\r\n\r\n").encode()
        plan = [("idle", b"")] * idle + [("half-header", head[:40])] * half_header + [("stalled-body", head + b"{")] * stalled_body \
            + [("trickle", b"P")] * trickle
        lock = threading.Lock()

        def open_some(part):
            for kind, first in part:
                try:
                    t = time.monotonic()
                    s = _connect(port)
                    if time.monotonic() - t > 0.9:
                        with lock:
                            self.slow_connects += 1  # the SYN was dropped (listen backlog full) and sent again
                    if first:
                        s.sendall(first)
                except OSError:
                    with lock:
                        self.failed_to_connect += 1
                    continue
                with lock:
                    self.sockets.append(s)
                    self.kind[s] = kind
                    self.opened_at[s] = time.monotonic()

        # Opened at once from several threads, as a flood would come.
        openers = [threading.Thread(target=open_some, args=(plan[i::OPENERS],)) for i in range(OPENERS)]
        for t in openers:
            t.start()
        for t in openers:
            t.join(60)
        self._stop = threading.Event()
        self._trickle_data = b"OST /webhooks/tg HTTP/1.1\r\nHost: x\r\n"
        self._trickler = threading.Thread(target=self._trickle, daemon=True)
        self._trickler.start()

    def _trickle(self):
        i = 0
        while not self._stop.wait(TRICKLE_INTERVAL):
            byte = self._trickle_data[i % len(self._trickle_data):][:1]
            i += 1
            for s in [s for s in self.sockets if self.kind[s] == "trickle"]:
                try:
                    s.send(byte)
                except OSError:
                    pass  # closed by the server: watch_closed sees it

    def count(self, kind):
        return sum(1 for s in self.sockets if self.kind[s] == kind)

    def watch_closed(self, deadline_seconds):
        """Reads every socket until the server closes it or `deadline_seconds` pass. Returns
        ({socket: seconds from open to close}, {socket: first bytes the server sent}), closed ones only."""
        closed, answered = {}, {}
        sel = selectors.DefaultSelector()
        for s in self.sockets:
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        end = time.monotonic() + deadline_seconds
        try:
            while len(closed) < len(self.sockets) and time.monotonic() < end:
                for key, _ in sel.select(timeout=max(0.0, min(0.5, end - time.monotonic()))):
                    s = key.fileobj
                    try:
                        data = s.recv(65536)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""  # reset by the server: closed too
                    if data:
                        answered.setdefault(s, data[:200])
                        continue
                    closed[s] = time.monotonic() - self.opened_at[s]
                    sel.unregister(s)
        finally:
            sel.close()
        return closed, answered

    def close(self):
        self._stop.set()
        self._trickler.join(TRICKLE_INTERVAL + 1)
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass


SLOWLORIS_WATCH = 10  # seconds


def _trickle_headers(sockets, stop, interval):
    """Sends a request head a byte every `interval` seconds on each socket, never finishing it."""
    head = b"POST /webhooks/tg HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Padding: " + b"a" * 4000
    i = 0
    while not stop.wait(interval):
        for s in sockets:
            try:
                s.send(head[i % len(head):][:1])
            except OSError:
                pass
        i += 1


def _still_open(sock):
    """True when the peer has not closed the socket (nothing to read, no EOF, no reset)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def _timed_webhooks(gw, chat, start, count):
    """Posts `count` signed webhooks of one chat, one at a time, each on a new connection; returns the
    latencies in ms and the statuses."""
    latencies, statuses = [], []
    for n in range(start, start + count):
        _, body = telegram_update(chat, n)
        t = time.perf_counter()
        try:
            status = gw.post("/webhooks/tg", body, telegram_headers(), timeout=15)[0]
        except OSError as e:
            status = f"{type(e).__name__}"
        latencies.append((time.perf_counter() - t) * 1000)
        statuses.append(status)
    return latencies, statuses


def _delivered_keys(up):
    return {c["idempotencyKey"] for c in up.calls() if c["status"] == 200}


class FloodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nofile = raise_nofile(65536)

    def _gateway(self, tmp, up, server_yaml):
        return Gateway(tmp, up.url, telegram_channel(), server_yaml=server_yaml, preexec_fn=_raise_gateway_nofile).start()

    def test_webhooks_answered_and_memory_bounded_under_a_socket_flood(self):
        """1,250 hostile sockets held (idle timeout 30 s, longer than the test holds them): real webhooks
        keep their latency and are all answered 200 and delivered; RSS grows by a bounded amount and
        does not keep growing after the flood."""
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = self._gateway(tmp, up, "  idleTimeoutSeconds: 30\n")
            flood = None
            try:
                pid = gw.proc.pid
                _timed_webhooks(gw, 9, 0, 20)  # warm-up: first connections, SQLite pages, JIT-free but lazy inits
                before_lat, before_status = _timed_webhooks(gw, 1, 0, REAL_WEBHOOKS)
                rss_before = rss_kb(pid)
                sockets_before = open_sockets(pid)

                # Real webhooks from the moment the flood starts until it has been held for a while.
                during_lat, during_status, flood_open = [], [], threading.Event()

                def real_webhooks():
                    n = 0
                    while n < MAX_DURING and not (flood_open.is_set() and n >= REAL_WEBHOOKS):
                        lat, st = _timed_webhooks(gw, 2, n, 1)
                        during_lat.extend(lat)
                        during_status.extend(st)
                        n += 1

                sender = threading.Thread(target=real_webhooks)
                sender.start()
                t = time.monotonic()
                flood = Flood(gw.port)
                open_seconds = time.monotonic() - t
                flood_open.set()
                sender.join(120)
                rss_during = rss_kb(pid)
                sockets_during = open_sockets(pid)
                self.assertIsNone(gw.proc.poll(), "the gateway died during the flood:\n" + gw.output()[-3000:])
                held, slow_connects = len(flood.sockets), flood.slow_connects
                flood.close()
                flood = None
                time.sleep(2)
                after_lat, after_status = _timed_webhooks(gw, 3, 0, 50)
                rss_after = rss_kb(pid)

                p = lambda xs, q: round(percentile(xs, q), 1)
                print(f"\nflood: {held} hostile sockets held (opened in {open_seconds:.2f} s; {IDLE} idle, {HALF_HEADER} half-header, "
                      f"{STALLED_BODY} stalled 1 MB body, {TRICKLE} trickle; {slow_connects} connects took > 0.9 s: SYN dropped, backlog full); gateway sockets {sockets_before} -> {sockets_during}; RLIMIT_NOFILE {self.nofile}")
                print(f"flood: {len(before_lat)} webhooks before, {len(during_lat)} during (while opening and holding), {len(after_lat)} after; "
                      f"{sum(1 for x in during_lat if x > 900)} took > 900 ms")
                print(f"flood: webhook latency ms p50/p99/max before {p(before_lat, 50)}/{p(before_lat, 99)}/{p(before_lat, 100)}, "
                      f"during {p(during_lat, 50)}/{p(during_lat, 99)}/{p(during_lat, 100)}, after {p(after_lat, 50)}/{p(after_lat, 99)}")
                print(f"flood: RSS KiB before {rss_before}, during {rss_during}, after {rss_after}")

                self.assertEqual(held, IDLE + HALF_HEADER + STALLED_BODY + TRICKLE, "some hostile sockets could not connect")
                self.assertEqual(set(before_status + during_status + after_status), {200})
                self.assertLess(percentile(during_lat, 99), max(2000.0, 10 * percentile(before_lat, 99)),
                                "webhook p99 during the flood is far above its normal latency")
                self.assertLess(rss_during - rss_before, 256 * 1024, "RSS grew by more than 256 MiB for 1,250 sockets")
                self.assertLess(rss_after, rss_during + 32 * 1024, "RSS kept growing after the flood was gone")
                wanted = {f"tg:{telegram_update(chat, n)[0]}" for chat, count in ((1, REAL_WEBHOOKS), (2, len(during_lat)), (3, 50)) for n in range(count)}
                wait_until(lambda: _delivered_keys(up) >= wanted, timeout=30, what="every acknowledged webhook delivered")
            finally:
                if flood:
                    flood.close()
                gw.stop()
                up.stop()

    def test_idle_and_slow_sockets_are_closed_by_the_server(self):
        """idleTimeoutSeconds 2: idle, half-header, stalled-body and trickle (a byte every 3 s) sockets are
        all closed by the server (recv gives b'' or a reset, perhaps after a 408) within about 2 s, and
        a webhook sent meanwhile is answered."""
        idle_timeout = 2
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = self._gateway(tmp, up, f"  idleTimeoutSeconds: {idle_timeout}\n")
            flood = None
            slowloris = []
            try:
                flood = Flood(gw.port, idle=300, half_header=50, stalled_body=50, trickle=20)
                # Reported, not asserted: a header trickled a byte a second is never silent for the idle timeout.
                slowloris = [_connect(gw.port) for _ in range(5)]
                slow_opened = time.monotonic()
                slow_stop = threading.Event()
                slow_thread = threading.Thread(target=_trickle_headers, args=(slowloris, slow_stop, 1.0), daemon=True)
                slow_thread.start()
                self.assertEqual(gw.post("/webhooks/tg", telegram_update(1, 1)[1], telegram_headers())[0], 200)
                closed, answered = flood.watch_closed(deadline_seconds=idle_timeout * 2 + 4)
                slow_closed_after = {}
                while len(slow_closed_after) < len(slowloris) and time.monotonic() - slow_opened < SLOWLORIS_WATCH:
                    for sock in slowloris:
                        if sock not in slow_closed_after and not _still_open(sock):
                            slow_closed_after[sock] = time.monotonic() - slow_opened
                    time.sleep(0.25)
                slow_stop.set()
                slow_thread.join(3)
                slowloris_open = len(slowloris) - len(slow_closed_after)
                open_left = {k: sum(1 for s in flood.sockets if flood.kind[s] == k and s not in closed) for k in ("idle", "half-header", "stalled-body", "trickle")}
                times = sorted(closed.values())
                statuses = sorted({a.split(b"\r\n", 1)[0].decode("latin-1") for a in answered.values()})
                print(f"\nidle timeout {idle_timeout} s: {len(closed)}/{len(flood.sockets)} hostile sockets closed by the server, "
                      f"after {times[0] if times else 0:.2f}..{times[-1] if times else 0:.2f} s (median {percentile(times, 50):.2f} s); "
                      f"still open: {open_left}; answers before closing: {statuses or 'none'}")
                print(f"idle timeout {idle_timeout} s: a header trickled at 1 byte/s (never silent for {idle_timeout} s): "
                      f"{slowloris_open}/{len(slowloris)} still open after {SLOWLORIS_WATCH} s, closed after "
                      f"{sorted(round(v, 1) for v in slow_closed_after.values())} s (reported, not asserted)")
                self.assertIsNone(gw.proc.poll(), gw.output()[-3000:])
                self.assertEqual(sum(open_left.values()), 0, f"sockets the server did not close within {idle_timeout * 2 + 4} s: {open_left}")
                self.assertGreater(times[0], idle_timeout * 0.5, "a socket was closed long before the idle timeout")
                for status in statuses:
                    self.assertRegex(status, r"^HTTP/1\.[01] (408|400|413)\b", "the server answered a slow socket with something other than 408/400")
                self.assertEqual(gw.post("/webhooks/tg", telegram_update(1, 2)[1], telegram_headers())[0], 200)
                wait_until(lambda: _delivered_keys(up) >= {"tg:100001", "tg:100002"}, timeout=20, what="delivery")
            finally:
                if flood:
                    flood.close()
                for sock in slowloris:
                    sock.close()
                gw.stop()
                up.stop()

    def test_busy_connections_are_not_cut_by_the_idle_timeout(self):
        """idleTimeoutSeconds 2 closes silence only: a keep-alive connection with a webhook every second for
        6 s, and a webhook whose body arrives in pieces a second apart over 5 s, are both answered 200."""
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = self._gateway(tmp, up, "  idleTimeoutSeconds: 2\n")
            try:
                results = {}

                def keep_alive():
                    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
                    ports, statuses = set(), []
                    try:
                        for n in range(6):
                            conn.request("POST", "/webhooks/tg", body=telegram_update(1, n)[1], headers=telegram_headers())
                            resp = conn.getresponse()
                            resp.read()
                            statuses.append(resp.status)
                            ports.add(conn.sock.getsockname()[1])
                            time.sleep(1)
                    except (OSError, http.client.HTTPException) as e:
                        statuses.append(type(e).__name__)
                    finally:
                        conn.close()
                    results["keep-alive"] = (statuses, len(ports))

                def slow_body():
                    _, body = telegram_update(2, 0)
                    head = (f"POST /webhooks/tg HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            f"X-Telegram-Bot-Api-Secret-Token: e2e-telegram-secret\r\nContent-Length: {len(body)}\r\n\r\n").encode()
                    step = len(body) // 5 + 1
                    t = time.monotonic()
                    try:
                        with _connect(gw.port) as sock:
                            sock.sendall(head)
                            for i in range(0, len(body), step):
                                time.sleep(1)
                                sock.sendall(body[i:i + step])
                            sock.settimeout(5)
                            answer = sock.recv(200).split(b"\r\n", 1)[0].decode("latin-1")
                    except OSError as e:
                        answer = type(e).__name__
                    results["slow body"] = (answer, time.monotonic() - t)

                threads = [threading.Thread(target=keep_alive), threading.Thread(target=slow_body)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(20)
                print(f"\nidle timeout 2 s: keep-alive with a webhook a second: {results.get('keep-alive')}; "
                      f"a body in 5 pieces a second apart: {results.get('slow body')}")
                self.assertEqual(results["keep-alive"], ([200] * 6, 1), "a busy keep-alive connection was cut (or not kept)")
                self.assertEqual(results["slow body"][0], "HTTP/1.1 200 OK", "a body that keeps arriving was cut by the idle timeout")
            finally:
                gw.stop()
                up.stop()

    def test_max_connections_refuses_past_the_limit_and_recovers(self):
        """maxConnections 50 and 300 sockets: the gateway holds at most about 50 of them, the rest are
        refused (closed) or wait; the process stays up; once the sockets are closed, webhooks are answered."""
        limit, opened = 50, 300
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = self._gateway(tmp, up, f"  idleTimeoutSeconds: 30\n  maxConnections: {limit}\n")
            flood = None
            try:
                pid = gw.proc.pid
                sockets_before = open_sockets(pid)
                flood = Flood(gw.port, idle=opened, half_header=0, stalled_body=0, trickle=0)
                closed, _ = flood.watch_closed(deadline_seconds=3)
                sockets_during = open_sockets(pid)
                # A webhook while the limit is reached: refused (connection closed) or answered, never a hang.
                t = time.monotonic()
                try:
                    during = gw.post("/webhooks/tg", telegram_update(1, 1)[1], telegram_headers(), timeout=10)[0]
                except OSError as e:
                    during = type(e).__name__
                during_seconds = time.monotonic() - t
                alive = gw.proc.poll() is None
                flood.close()
                flood = None
                wait_until(lambda: gw.post("/webhooks/tg", telegram_update(1, 2)[1], telegram_headers(), timeout=5)[0] == 200,
                           timeout=15, what="a webhook answered once the flood is gone")
                statuses = [gw.post("/webhooks/tg", telegram_update(1, n)[1], telegram_headers())[0] for n in range(3, 23)]
                _, metrics, _ = gw.get("/metrics")
                refused_metric = [line for line in metrics.splitlines() if line.startswith("gangway_connections_refused_total")]
                print(f"\nmaxConnections {limit}: {opened} sockets opened, {len(closed)} closed by the server within 3 s, "
                      f"{opened - len(closed)} held; gateway sockets {sockets_before} -> {sockets_during}; a webhook at the limit: "
                      f"{during} after {during_seconds:.2f} s; {refused_metric or 'no refused counter'}")
                self.assertTrue(alive, gw.output()[-3000:])
                self.assertLessEqual(opened - len(closed), limit + 2, "more connections held open than maxConnections")
                self.assertLessEqual(sockets_during - sockets_before, limit + 10, "the gateway holds more sockets than maxConnections")
                self.assertEqual(set(statuses), {200})
                wanted = {f"tg:{100000 + n}" for n in range(2, 23)}
                wait_until(lambda: _delivered_keys(up) >= wanted, timeout=20, what="delivery after the flood")
            finally:
                if flood:
                    flood.close()
                gw.stop()
                up.stop()


if __name__ == "__main__":
    unittest.main()
