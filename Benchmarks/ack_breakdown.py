#!/usr/bin/env python3
"""Where one core's time goes, for the two rows of the issue that are about time, not rate.

    python3 Benchmarks/ack_breakdown.py ack   [--binary PATH] [--rate N]
    python3 Benchmarks/ack_breakdown.py drain [--binary PATH] [--concurrency N]

`ack`: a gateway with the chatbot API down (the bench configuration, SQLite in a temp folder) on
core 1, the load generator on core 0: a 10 s closed-loop load for the maximum, then an open loop
at half of it (or --rate), printing the acknowledgement's p50/p99, the `/metrics` ingest stages'
p50/p99/p99.9 over the open loop, and the gateway's CPU per webhook (all threads, and the share of
the threads the commit queue runs on) from /proc/<pid>/task/*/schedstat.

`drain`: fills a backlog with the API down, starts the stand-in API (core 0), and over 6 s of the
drain prints calls delivered per second, the gateway's CPU per delivered call and how busy its core
and the stand-in's were.

The binary is --binary, else $GANGWAY_BIN, else the release build from scripts/bench.sh. Everything
listens on 127.0.0.1 and stops by itself; each load is bounded in time.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url):
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def cpu_ns(pid):
    """Per thread: (name, CPU ns) from schedstat."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            out[tid] = (name, int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            pass
    return out


def stages(port):
    """`gangway_ingest_stage_seconds` buckets: {stage: {le: count}}."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    h = {}
    for line in text.splitlines():
        m = re.match(r'gangway_ingest_stage_seconds_bucket\{stage="([^"]+)",le="([^"]+)"\} (\S+)', line)
        if m:
            h.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
    return h


def quantile(before, after, q):
    """The upper bound of the bucket holding quantile q of what was observed between two scrapes."""
    out = {}
    for stage, buckets in after.items():
        bounds = sorted(buckets, key=lambda b: float("inf") if b == "+Inf" else float(b))
        total = buckets["+Inf"] - before.get(stage, {}).get("+Inf", 0)
        if total <= 0:
            continue
        for b in bounds:
            if buckets[b] - before.get(stage, {}).get(b, 0) >= q * total:
                out[stage] = b
                break
    return out


class Gateway:
    def __init__(self, binary, tmp, concurrency=64):
        self.binary, self.tmp = binary, Path(tmp)
        self.port, self.upstream_port = free_port(), free_port()
        text = (ROOT / "Benchmarks" / "bench.yaml.in").read_text()
        text = text.replace("@GATEWAY_PORT@", str(self.port)).replace("@UPSTREAM_PORT@", str(self.upstream_port))
        text = text.replace("@STORE@", str(self.tmp / "store.sqlite")).replace("maxConcurrency: 64", f"maxConcurrency: {concurrency}")
        (self.tmp / "gateway.yaml").write_text(text)
        self.procs = []
        self.proc = self.spawn("1", "serve", "--config", str(self.tmp / "gateway.yaml"), "--log-level", "warning")
        wait_http(f"http://127.0.0.1:{self.port}/readyz")

    def spawn(self, core, *args):
        log = open(self.tmp / f"{args[0]}-{len(self.procs)}.log", "w")
        p = subprocess.Popen(["taskset", "-c", core, self.binary, *args], stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def load(self, seconds, rate=0):
        args = ["taskset", "-c", "0", self.binary, "bench", "load", "--url", f"http://127.0.0.1:{self.port}/webhooks/wa",
                "--seconds", str(seconds), "--connections", "64"]
        if rate:
            args += ["--rate", str(rate)]
        out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


def ack(gw, rate):
    full = gw.load(10)
    rate = rate or max(10, int(full["rps"] / 2))
    print(f"maximum, closed loop: {full['rps']:.0f} req/s")
    before, cpu_before = stages(gw.port), cpu_ns(gw.proc.pid)
    r = gw.load(10, rate=rate)
    after, cpu_after = stages(gw.port), cpu_ns(gw.proc.pid)
    used = {tid: (name, ns - cpu_before.get(tid, (name, 0))[1]) for tid, (name, ns) in cpu_after.items()}
    total = sum(ns for _, ns in used.values())
    # The commit queue and the checkpointer run on libdispatch's threads (named "...qos.overcommit").
    commit = sum(ns for name, ns in used.values() if "overcommit" in name)
    ok = max(1, r["ok"])
    print(f"open loop at {rate} req/s: p50 {r['p50ms']:.2f} ms, p99 {r['p99ms']:.2f} ms, max {r['maxms']:.1f} ms")
    print(f"gateway CPU per webhook {total / 1e3 / ok:.0f} us (of which the commit queue's threads {commit / 1e3 / ok:.0f} us); "
          f"core busy {total / 1e9 / r['seconds'] * 100:.0f}%")
    for q in (0.5, 0.99, 0.999):
        print(f"stages p{q * 100:g} (bucket bound, s): {quantile(before, after, q)}")


def drain(gw):
    filled = gw.load(6)
    print(f"filled {filled['ok']} calls with the API down")
    time.sleep(3)
    up = gw.spawn("0", "mock-upstream", "--port", str(gw.upstream_port))
    count_url = f"http://127.0.0.1:{gw.upstream_port}/_calls/count"
    wait_http(count_url)
    time.sleep(2)

    def sample():
        return (int(urllib.request.urlopen(count_url, timeout=5).read()), sum(ns for _, ns in cpu_ns(gw.proc.pid).values()),
                sum(ns for _, ns in cpu_ns(up.pid).values()), time.time())

    c0, g0, u0, t0 = sample()
    time.sleep(6)
    c1, g1, u1, t1 = sample()
    n, s = max(1, c1 - c0), t1 - t0
    print(f"delivered {c1 - c0} in {s:.1f} s = {(c1 - c0) / s:.0f} calls/s; gateway CPU {(g1 - g0) / 1e3 / n:.0f} us per call, "
          f"its core {(g1 - g0) / 1e9 / s * 100:.0f}% busy, the stand-in's {(u1 - u0) / 1e9 / s * 100:.0f}%")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["ack", "drain"])
    parser.add_argument("--binary", default=os.environ.get("GANGWAY_BIN", str(ROOT / ".build-release" / "release" / "gangway")))
    parser.add_argument("--rate", type=int, default=0, help="ack: the open loop's rate (default: half the maximum)")
    parser.add_argument("--concurrency", type=int, default=64, help="drain: upstream.maxConcurrency")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gangway-breakdown-") as tmp:
        gw = Gateway(args.binary, tmp, args.concurrency)
        try:
            ack(gw, args.rate) if args.what == "ack" else drain(gw)
        finally:
            gw.stop()


if __name__ == "__main__":
    main()
