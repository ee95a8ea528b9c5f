#!/usr/bin/env python3
"""Gangway's load benchmarks, side by side with baselines in the same run (see README.md).

Runs a release build of `gangway` on loopback: durable ingest of signed WhatsApp webhooks against
Hummingbird's hello-world (same binary, `gangway bench hello`) and against nginx in front of it,
acknowledgement latency at half the maximum rate, delivery rate over 1,000 conversations, memory
(idle, under load, with a large backlog while the chatbot API is down), and kill -9 trials. Writes
Benchmarks/results/<date>-<machine>.md and prints the table. Every server listens on 127.0.0.1;
every load is bounded in time.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def rss_kb(pid, field="VmRSS"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def pinning(enabled):
    """`taskset` prefixes: servers under test (gateway, hello-world, nginx in front of them) on every
    core but the first, the load generator and the stand-in chatbot API on the first, so that the
    load's own work never competes with what it measures. Empty when there is one core or no taskset."""
    cores = os.cpu_count() or 1
    if not enabled or cores < 2 or not shutil.which("taskset"):
        return (), (), "not pinned"
    servers = "1" if cores == 2 else f"1-{cores - 1}"
    return ("taskset", "-c", servers), ("taskset", "-c", "0"), f"servers on core {servers}, load generator and stand-in API on core 0 (taskset)"


class Run:
    def __init__(self, binary, tmp, quick, pin=True):
        self.bin = binary
        self.tmp = Path(tmp)
        self.quick = quick
        self.procs = []
        self.server, self.client, self.pinned = pinning(pin)

    def spawn(self, *args, log=None, role="server"):
        out = open(self.tmp / (log or f"p{len(self.procs)}.log"), "w")
        prefix = self.server if role == "server" else self.client
        p = subprocess.Popen([*prefix, self.bin, *args], stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()

    def stop_all(self):
        for p in self.procs:
            self.stop(p)

    connections = 64

    def load(self, url, seconds, connections=None, rate=0, run=None):
        connections = connections or self.connections
        args = [*self.client, self.bin, "bench", "load", "--url", url, "--seconds", str(seconds), "--connections", str(connections)]
        if rate:
            args += ["--rate", str(rate)]
        if run:
            args += ["--run", run]
        out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def gateway(self, upstream_port, store, name="gw"):
        """A gateway on `store`: a SQLite file's path, or a PostgreSQL database's postgres:// URL."""
        import replicas
        port = free_port()
        cfg = self.tmp / f"{name}.yaml"
        text = (ROOT / "Benchmarks" / "bench.yaml.in").read_text().replace("@GATEWAY_PORT@", str(port)).replace("@UPSTREAM_PORT@", str(upstream_port))
        if str(store).startswith("postgres"):
            text = text.replace("store: { path: @STORE@ }", replicas.postgres_store(store))
        cfg.write_text(text.replace("@STORE@", str(store)))
        p = self.spawn("serve", "--config", str(cfg), "--log-level", "warning", log=f"{name}.log")
        wait_http(f"http://127.0.0.1:{port}/readyz")
        return p, port, cfg

    def upstream(self, port=None):
        port = port or free_port()
        p = self.spawn("mock-upstream", "--port", str(port), log=f"upstream-{port}.log", role="client")
        wait_http(f"http://127.0.0.1:{port}/_calls")
        return p, port

    def nginx(self, backend_port):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            return None, None
        port = free_port()
        d = self.tmp / f"nginx-{port}"
        d.mkdir()
        conf = d / "nginx.conf"
        conf.write_text(f"""worker_processes 1;
error_log {d}/error.log; pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  upstream backend {{ server 127.0.0.1:{backend_port}; keepalive 64; }}
  server {{ listen 127.0.0.1:{port}; client_max_body_size 4m;
    location / {{ proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header X-Forwarded-Host $host; proxy_set_header X-Forwarded-Port $server_port;
      proxy_request_buffering off; }} }} }}
""")
        p = subprocess.Popen([*self.server, nginx, "-c", str(conf), "-p", str(d), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        self.procs.append(p)
        time.sleep(0.5)
        return p, port


def calls_count(upstream_port):
    return int(get(f"http://127.0.0.1:{upstream_port}/_calls/count", timeout=60)[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / ".build-release" / "release" / "gangway"))
    ap.add_argument("--quick", action="store_true", help="a smoke run: short loads, small backlog, 3 kill trials")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--connections", type=int, default=64, help="concurrent requests of the closed-loop loads (baselines too)")
    ap.add_argument("--build-seconds", type=float, default=None, help="the release build's time (scripts/bench.sh passes it)")
    ap.add_argument("--build-kind", default="incremental", help="cold or incremental (scripts/bench.sh passes it)")
    ap.add_argument("--micro", default=None, help="a file with the micro-benchmarks' output to include (scripts/bench.sh --micro)")
    ap.add_argument("--no-pin", action="store_true", help="do not pin servers and load generator to separate cores")
    ap.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL rows (they start a throwaway cluster)")
    args = ap.parse_args()
    seconds = args.seconds or (3 if args.quick else 10)
    backlog = 20_000 if args.quick else 1_000_000
    drain_n = 5_000 if args.quick else 50_000
    trials = 3 if args.quick else 20
    if not Path(args.binary).exists():
        sys.exit(f"no release binary at {args.binary}: swift build -c release --product gangway --scratch-path .build-release")

    results = {}
    with tempfile.TemporaryDirectory(prefix="gangway-bench-") as tmp:
        r = Run(args.binary, tmp, args.quick, pin=not args.no_pin)
        r.connections = args.connections
        results["pinning"] = r.pinned
        try:
            # Baselines: Hummingbird hello-world, directly and behind nginx, with the same load generator and bodies.
            hello_port = free_port()

            def baselines(suffix, log):
                """hello-world directly and behind nginx; returns the running hello-world."""
                hello = r.spawn("bench", "hello", "--port", str(hello_port), log=log)
                wait_http(f"http://127.0.0.1:{hello_port}/")
                results["hello" + suffix] = r.load(f"http://127.0.0.1:{hello_port}/", seconds)
                ng, ng_port = r.nginx(hello_port)
                if ng:
                    results["nginx_hello" + suffix] = r.load(f"http://127.0.0.1:{ng_port}/", seconds)
                    r.stop(ng)
                return hello

            r.stop(baselines("", "hello.log"))

            # Gangway: durable ingest. First with the chatbot API down (the calls wait on disk, the breaker
            # holds delivery back): what the ingress alone sustains. Then with delivery running at the same
            # time on the same 2 cores (every webhook then costs a second HTTP exchange and the stand-in's work).
            down_port = free_port()
            gw, gw_port, cfg = r.gateway(down_port, Path(tmp) / "ingest-only.sqlite", name="ingest-only")
            results["rss_idle_kb"] = rss_kb(gw.pid)
            results["rss_idle_anon_kb"] = rss_kb(gw.pid, "RssAnon")
            results["rss_idle_file_kb"] = rss_kb(gw.pid, "RssFile")
            results["ingest"] = r.load(f"http://127.0.0.1:{gw_port}/webhooks/wa", seconds)
            half_only = max(10, int(results["ingest"]["rps"] / 2))
            results["latency_half_ingest_only"] = r.load(f"http://127.0.0.1:{gw_port}/webhooks/wa", seconds, rate=half_only)
            results["latency_half_ingest_only"]["rate"] = half_only
            # The same gateway behind nginx: the configuration operators deploy, against nginx → hello.
            ng, ng_port = r.nginx(gw_port)
            if ng:
                results["nginx_ingest"] = r.load(f"http://127.0.0.1:{ng_port}/webhooks/wa", seconds)
                r.stop(ng)
            r.stop(gw)
            up, up_port = r.upstream()
            gw, gw_port, cfg = r.gateway(up_port, Path(tmp) / "ingest.sqlite")
            url = f"http://127.0.0.1:{gw_port}/webhooks/wa"
            results["ingest_delivering"] = r.load(url, seconds)
            results["rss_load_kb"] = rss_kb(gw.pid, "VmHWM")
            ng, ng_port = r.nginx(gw_port)
            if ng:
                results["nginx_ingest_delivering"] = r.load(f"http://127.0.0.1:{ng_port}/webhooks/wa", seconds)
                r.stop(ng)
            # Half of the maximum this same configuration (delivering) sustained.
            half = max(10, int(results["ingest_delivering"]["rps"] / 2))
            results["latency_half"] = r.load(url, seconds, rate=half)
            results["latency_half"]["rate"] = half
            r.stop(gw)
            r.stop(up)

            # The baselines again, after the gateway's loads: this machine's run-to-run spread is large
            # (hello-world 8,200 to 11,900 req/s in one afternoon), so each ratio uses the better of the
            # two baseline measurements (the one less favourable to the gateway).
            hello = baselines("_again", "hello2.log")
            # The latency floor of this setup: hello-world, open loop, at the same rates.
            for key in ("latency_half_ingest_only", "latency_half"):
                rate = results[key]["rate"]
                results[f"hello_{key}"] = r.load(f"http://127.0.0.1:{hello_port}/", seconds, rate=rate)
                results[f"hello_{key}"]["rate"] = rate
            r.stop(hello)

            # Delivery: a backlog over 1,000 conversations while the API is down, then drained.
            up_port = free_port()
            store = Path(tmp) / "drain.sqlite"
            gw, gw_port, cfg = r.gateway(up_port, store, name="drain")
            r.stop(gw)
            subprocess.run([args.binary, "bench", "fill", "--config", str(cfg), "--channel", "wa", "--count", str(drain_n)], check=True,
                           capture_output=True)
            up, _ = r.upstream(up_port)
            t0 = time.time()
            gw, gw_port, cfg = r.gateway(up_port, store, name="drain")
            while calls_count(up_port) < drain_n and time.time() - t0 < 600:
                time.sleep(0.5)
            results["drain"] = {"calls": calls_count(up_port), "seconds": round(time.time() - t0, 2)}
            results["drain"]["rps"] = round(results["drain"]["calls"] / results["drain"]["seconds"], 1)
            items = json.loads(get(f"http://127.0.0.1:{up_port}/_calls", timeout=120)[1])["items"]
            last, ordered = {}, True
            for c in items:
                conv, n = c["body"]["providerId"], int(c["idempotencyKey"].rsplit(".", 1)[1])
                if conv in last and n < last[conv]:
                    ordered = False
                last[conv] = n
            results["drain"]["order_kept"] = ordered
            r.stop(gw)
            r.stop(up)

            # Memory with a large backlog while the chatbot API is down, then the whole drain, timed.
            results["backlog"] = backlog_phase(r, args.binary, tmp, backlog, settle=3 if args.quick else 15,
                                               limit=120 if args.quick else 1800)

            # Durability: kill -9 mid-load, restart, drain; count losses and keys.
            lost_total = dup_keys_total = repeats_total = acked_total = 0
            for trial in range(trials):
                lost, dup_keys, repeats, acked = kill_trial(r, Path(tmp) / f"kill{trial}.sqlite")
                lost_total += lost
                dup_keys_total += dup_keys
                repeats_total += repeats
                acked_total += acked
            results["kill9"] = {"trials": trials, "acknowledged": acked_total, "lost": lost_total,
                                "messages_under_two_keys": dup_keys_total, "repeats_same_key": repeats_total}

            # PostgreSQL: one replica against SQLite's ingest, then two replicas on the same database.
            if not args.no_postgres:
                results["postgres"] = postgres_phase(r, args.binary, seconds)
        finally:
            r.stop_all()

    report(results, args)


class PostgresUnavailable(Exception):
    pass


@contextlib.contextmanager
def throwaway_postgres():
    """A throwaway cluster (scripts/postgres.sh, as the tests use), stopped and removed on leaving; yields its URL.
    Raises PostgresUnavailable when it cannot start."""
    started = subprocess.run([str(ROOT / "scripts" / "postgres.sh")], capture_output=True, text=True)
    if started.returncode != 0:
        raise PostgresUnavailable(started.stderr.strip()[-300:] or "scripts/postgres.sh failed")
    env = dict(line.replace("export ", "", 1).split("=", 1) for line in started.stdout.splitlines() if line.startswith("export "))
    env = {k: v.strip("'\"") for k, v in env.items()}
    try:
        yield env["GANGWAY_TEST_POSTGRES_URL"]
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop", env.get("GANGWAY_TEST_POSTGRES_DIR", "/nonexistent")], capture_output=True)


def postgres_phase(r, binary, seconds):
    """A throwaway cluster, one then two replicas, ingest alone."""
    import replicas
    try:
        with throwaway_postgres() as url:
            primary_one, primary_two = {}, {}
            one, _ = replicas.measure(binary, url, 1, seconds, r.connections, r.server, r.client, details=primary_one)
            two, detail = replicas.measure(binary, url, 2, seconds, r.connections, r.server, r.client, details=primary_two)
            return {"one_replica_rps": round(one, 1), "two_replicas_rps": round(two, 1), "per_replica": [d["rps"] for d in detail],
                    "primary_one_replica": primary_one, "primary_two_replicas": primary_two}
    except PostgresUnavailable as e:
        return {"skipped": str(e)}


def backlog_phase(r, binary, tmp, backlog, settle, limit, interval=2, progress=None, pg_url=None):
    """Fills `backlog` calls over 1,000 conversations while nothing listens upstream, runs the gateway
    `settle` seconds against the dead API (some heads are retried, their conversations held back) and
    reads its memory; then starts the stand-in and times the drain to the end, bounded by `limit` s.
    `progress(seconds, delivered, rate)` is called at each look (every `interval` s). The store is SQLite
    in `tmp`, or with `pg_url` (a PostgreSQL server) a new database of its own on that server; then the
    primary's commits during the drain are counted too (`pg_stat_database`, as Benchmarks/replicas.py does)."""
    import replicas
    store = replicas.new_database(pg_url) if pg_url else Path(tmp) / "backlog.sqlite"
    dead_port = free_port()
    gw, _, cfg = r.gateway(dead_port, store, name="backlog")
    r.stop(gw)
    t0 = time.time()
    subprocess.run([binary, "bench", "fill", "--config", str(cfg), "--channel", "wa", "--count", str(backlog)], check=True,
                   capture_output=True)
    out = {"store": "postgres" if pg_url else "sqlite", "calls": backlog, "fill_seconds": round(time.time() - t0, 1)}
    gw, _, cfg = r.gateway(dead_port, store, name="backlog")
    time.sleep(settle)
    out.update(rss_kb=rss_kb(gw.pid), hwm_kb=rss_kb(gw.pid, "VmHWM"))
    commits0, syncs0 = (replicas.server_counters(pg_url)[1], replicas.wal_syncs(pg_url)) if pg_url else (None, None)
    up, _ = r.upstream(dead_port)
    t0, last, drained = time.time(), 0, 0
    # When 90% and 99% of the backlog had been delivered: what the last 10% and 1% took is the drain's tail.
    reached = {}
    while time.time() - t0 < limit:
        time.sleep(interval)
        drained = calls_count(dead_port)
        now = time.time() - t0
        for share in (0.9, 0.99):
            if drained >= share * backlog and share not in reached:
                reached[share] = now
        if progress:
            progress(now, drained, (drained - last) / interval)
        last = drained
        if drained >= backlog:
            break
    elapsed = time.time() - t0
    out.update(drained=drained, drain_seconds=round(elapsed, 1), drain_complete=drained >= backlog,
               drain_rps=round(drained / elapsed, 1), drain_hwm_kb=rss_kb(gw.pid, "VmHWM"))
    if drained >= backlog:
        out.update(tail_last_10pct_seconds=round(elapsed - reached.get(0.9, elapsed), 1),
                   tail_last_1pct_seconds=round(elapsed - reached.get(0.99, elapsed), 1))
    if pg_url:
        commits, syncs = replicas.server_counters(pg_url)[1] - commits0, replicas.wal_syncs(pg_url)
        out.update(drain_commits=commits, drain_commits_per_second=round(commits / elapsed, 1),
                   calls_per_commit=round(drained / max(1, commits), 2))
        if syncs is not None and syncs0 is not None:
            out.update(drain_wal_syncs=syncs - syncs0, drain_wal_syncs_per_second=round((syncs - syncs0) / elapsed, 1))
    r.stop(gw)
    r.stop(up)
    return out


def kill_trial(r, store):
    """Posts distinct webhooks from 8 senders, kill -9 after ~1 s, restarts on the same store, resends what was not
    acknowledged, and checks the stand-in API got every acknowledged one."""
    import hashlib
    import hmac
    up, up_port = r.upstream()
    gw, gw_port, cfg = r.gateway(up_port, store, name=f"kill-{store.stem}")
    acked, lock, stop = set(), threading.Lock(), threading.Event()
    run = os.urandom(4).hex()

    def body(n):
        frm = 4900000000 + n % 8
        return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "1"}, "messages": [{"from": str(frm), "id": f"wamid.{run}.{n}", "timestamp": "1",
                                                                 "type": "text", "text": {"body": f"k{n}"}}]}}]}]}).encode()

    def post(port, n):
        b = body(n)
        sig = "sha256=" + hmac.new(b"bench-app-secret", b, hashlib.sha256).hexdigest()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/wa", data=b, method="POST",
                                     headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status
        except Exception:
            return None

    pending = {s: list(range(s, 100000, 8)) for s in range(8)}

    def sender(s, port_box):
        while pending[s] and not stop.is_set():
            n = pending[s][0]
            if post(port_box[0], n) == 200:
                with lock:
                    acked.add(n)
                pending[s].pop(0)
            else:
                return

    port_box = [gw_port]
    threads = [threading.Thread(target=sender, args=(s, port_box)) for s in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    gw.send_signal(signal.SIGKILL)
    gw.wait()
    for t in threads:
        t.join(10)
    before = set(acked)
    gw, gw_port, cfg = r.gateway(up_port, store, name=f"kill-{store.stem}")
    # The provider resends what was not acknowledged (one each).
    for s in range(8):
        if pending[s]:
            n = pending[s][0]
            if post(gw_port, n) == 200:
                acked.add(n)
    deadline = time.time() + 60
    while time.time() < deadline:
        calls = json.loads(get(f"http://127.0.0.1:{up_port}/_calls", timeout=60)[1])["items"]
        keys = {c["idempotencyKey"] for c in calls}
        if {f"wa:wamid.{run}.{n}" for n in acked} <= keys:
            break
        time.sleep(0.3)
    r.stop(gw)
    r.stop(up)
    per_text = {}
    for c in calls:
        per_text.setdefault(c["body"]["message"]["text"], set()).add(c["idempotencyKey"])
    lost = len({f"wa:wamid.{run}.{n}" for n in before} - keys)
    dup_keys = sum(1 for v in per_text.values() if len(v) > 1)
    return lost, dup_keys, len(calls) - len(keys), len(before)


def micro_summary(text):
    """One line per micro-benchmark: p50 and p99 wall clock, mallocs (from the tool's markdown)."""
    import re
    lines = ["| benchmark | p50 wall clock | p99 wall clock | mallocs per iteration (p50) |", "|---|---|---|---|"]
    for sec in re.split(r"\n### ", text)[1:]:
        name = sec.split("\n", 1)[0].strip()
        cells = {}
        for line in sec.splitlines():
            if line.startswith("| ") and not line.startswith("| Metric"):
                parts = [c.strip() for c in line.strip().strip("|").split("|")]
                cells[parts[0]] = parts
        wall = next((v for k, v in cells.items() if k.startswith("Time (wall clock)")), None)
        mall = next((v for k, v in cells.items() if k.startswith("Malloc (total)")), None)
        if not wall:
            continue
        unit = re.search(r"\((\w+)\)", wall[0][len("Time (wall clock)"):])
        unit = unit.group(1) if unit else ""
        mall_text = ""
        if mall:
            k = re.search(r"\((\w+)\)", mall[0][len("Malloc (total)"):])
            mall_text = f"{mall[3]}{' ' + ({'K': 'thousand', 'M': 'million'}.get(k.group(1), k.group(1))) if k else ''}"
        lines.append(f"| {name} | {wall[3]} {unit} | {wall[6]} {unit} | {mall_text} |")
    return "\n".join(lines)


def report(results, args):
    machine = f"{platform.node()}"
    cores = os.cpu_count()
    mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    size_mb = round(Path(args.binary).stat().st_size / 2**20, 1)
    stripped_mb = "?"
    with tempfile.TemporaryDirectory() as d:
        if subprocess.run(["strip", "-o", f"{d}/g", args.binary], capture_output=True).returncode == 0:
            stripped_mb = round(Path(f"{d}/g").stat().st_size / 2**20, 1)
    h = max(results["hello"]["rps"], results.get("hello_again", {}).get("rps", 0))
    n = max(results.get("nginx_hello", {}).get("rps", 0), results.get("nginx_hello_again", {}).get("rps", 0)) or None
    i = results["ingest"]["rps"]
    both = lambda key: " / ".join(f"{results[k]['rps']:.0f}" for k in (key, key + "_again") if k in results)
    ni = results.get("nginx_ingest", {}).get("rps")
    lat = results["latency_half"]
    rows = [
        ("Hummingbird hello-world (baseline)", f"{h:.0f} req/s", f"the better of {both('hello')} (before / after)", ""),
        ("nginx → hello-world (baseline)", f"{n:.0f} req/s" if n else "n/a", f"the better of {both('nginx_hello')} (before / after)" if n else "", ""),
        ("durable ingest, signed WhatsApp (API down: calls wait on disk)", f"{i:.0f} req/s", f"{i / h:.2f} × hello", "≥ 0.6 ×"),
        ("durable ingest while delivering each call to the stand-in", f"{results['ingest_delivering']['rps']:.0f} req/s",
         f"{results['ingest_delivering']['rps'] / i:.2f} × ingest with the API down ({results['ingest_delivering']['rps'] / h:.2f} × hello)", "≥ 0.8 ×"),
        ("durable ingest behind nginx (API down)", f"{ni:.0f} req/s" if ni else "n/a", f"{ni / n:.2f} × nginx→hello" if ni and n else "", "≥ 0.8 ×"),
        ("durable ingest behind nginx while delivering", f"{results['nginx_ingest_delivering']['rps']:.0f} req/s" if "nginx_ingest_delivering" in results else "n/a",
         f"{results['nginx_ingest_delivering']['rps'] / n:.2f} × nginx→hello" if "nginx_ingest_delivering" in results and n else "", ""),
        (f"ack latency at {results['latency_half_ingest_only']['rate']} req/s (half max, API down), open loop",
         f"p50 {results['latency_half_ingest_only']['p50ms']:.2f} ms, p99 {results['latency_half_ingest_only']['p99ms']:.2f} ms", "", "p99 ≤ 5 ms"),
        (f"ack latency at {lat['rate']} req/s (half max, delivering), open loop", f"p50 {lat['p50ms']:.2f} ms, p99 {lat['p99ms']:.2f} ms", "", "p99 ≤ 5 ms"),
    ]
    for key in ("latency_half_ingest_only", "latency_half"):
        hl = results.get(f"hello_{key}")
        if hl:
            rows.append((f"hello-world at {hl['rate']} req/s, same open loop (the floor of this setup)",
                         f"p50 {hl['p50ms']:.2f} ms, p99 {hl['p99ms']:.2f} ms", "baseline", ""))
    rows += [
        ("delivery, 1,000 conversations", f"{results['drain']['rps']:.0f} calls/s", f"{results['drain']['rps'] / i:.2f} × ingest; order kept: {results['drain']['order_kept']}", "≥ 0.5 ×"),
        ("RSS idle", f"{results['rss_idle_kb'] / 1024:.1f} MB",
         f"{results.get('rss_idle_anon_kb', 0) / 1024:.1f} MB anonymous (heap, stacks), {results.get('rss_idle_file_kb', 0) / 1024:.1f} MB mapped code", "≤ 30 MB"),
        ("RSS peak under full load", f"{results['rss_load_kb'] / 1024:.1f} MB", "", "≤ 120 MB"),
        (f"RSS with {results['backlog']['calls']:,} calls queued, API down", f"{results['backlog']['rss_kb'] / 1024:.1f} MB (peak {results['backlog']['hwm_kb'] / 1024:.1f})", "", "≤ 150 MB"),
        ("backlog drain when the API returns", f"{results['backlog']['drain_rps']:.0f} calls/s",
         (f"all {results['backlog']['drained']:,} in {results['backlog']['drain_seconds']:.0f} s" if results['backlog']['drain_complete']
          else f"{results['backlog']['drained']:,} of {results['backlog']['calls']:,} in {results['backlog']['drain_seconds']:.0f} s (stopped)")
         + f"; RSS peak {results['backlog']['drain_hwm_kb'] / 1024:.1f} MB", "timed"),
        (f"kill -9 trials ({results['kill9']['trials']})", f"{results['kill9']['acknowledged']} acknowledged, {results['kill9']['lost']} lost",
         f"{results['kill9']['messages_under_two_keys']} under two keys, {results['kill9']['repeats_same_key']} repeats (same key)", "0 lost, 0 two keys"),
        ("release binary", f"{size_mb} MB ({stripped_mb} MB stripped)", "", ""),
    ]
    pg = results.get("postgres")
    if pg and "skipped" not in pg:
        rows.insert(-2, ("PostgreSQL ingest, one replica (API down)", f"{pg['one_replica_rps']:.0f} req/s", f"{pg['one_replica_rps'] / i:.2f} × SQLite ingest", "≥ 0.6 ×"))
        rows.insert(-2, ("PostgreSQL ingest, two replicas on one database", f"{pg['two_replicas_rps']:.0f} req/s",
                         f"{pg['two_replicas_rps'] / pg['one_replica_rps']:.2f} × one replica ({' + '.join(f'{x:.0f}' for x in pg['per_replica'])})", "≥ 1.0 ×"))
        p2 = pg.get("primary_two_replicas", {})
        if p2:
            rows.insert(-2, ("PostgreSQL primary under two replicas", f"{p2['commits_per_second']:.0f} commits/s",
                             f"{p2['webhooks_per_commit']} webhooks per commit, {p2['wal_bytes_per_webhook']} WAL bytes per webhook "
                             f"({p2['wal_mb_per_second']} MB/s), {p2['connections']} connections", "measured"))
    elif pg:
        rows.insert(-2, ("PostgreSQL rows", "skipped", pg["skipped"], ""))
    if args.build_seconds:
        rows.append((f"release build ({args.build_kind})", f"{args.build_seconds / 60:.1f} min", f"{cores} cores", ""))
    table = "| measure | result | ratio / detail | target |\n|---|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    micro = ""
    if args.micro and Path(args.micro).exists():
        raw = Path(args.micro).read_text()
        micro = ("## Micro-benchmarks (ordo-one/benchmark, `Benchmarks/Package.swift`)\n\n"
                 + micro_summary(raw) + "\n\n<details><summary>The benchmark tool's own output</summary>\n\n"
                 + "\n".join(l for l in raw.splitlines() if l.startswith(("#", "|", "```")) or not l.strip()).strip()
                 + "\n\n</details>\n\n")
    date = datetime.date.today().isoformat()
    out = ROOT / "Benchmarks" / "results" / f"{date}-{machine}{'-quick' if args.quick else ''}.md"
    out.write_text(
        f"# Gangway benchmarks, {date}\n\nCommit `{commit}`, machine `{machine}`: {cores} cores, {mem_gb} GiB, {platform.platform()}.\n"
        f"Load generator: `gangway bench load` (AsyncHTTPClient, {args.connections} connections, distinct signed bodies) on the same machine, {results.get('pinning', 'not pinned')}; "
        f"{'quick mode, ' if args.quick else ''}{args.seconds or (3 if args.quick else 10)} s per load.\n\n{table}\n\n"
        f"{micro}"
        f"Raw figures:\n\n```json\n{json.dumps(results, indent=2)}\n```\n")
    print(table)
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
