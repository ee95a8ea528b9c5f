#!/usr/bin/env python3
"""A/B of two release builds of `gangway`, alternating within each round, in the same minutes.

    Benchmarks/ab.py OLD_BINARY NEW_BINARY [--rounds 6] [--seconds 8] [--delivering]

One machine's speed drifts by more than the differences a change makes, so a regression check
runs both binaries turn about: per round hello-world (each binary's `gangway bench hello`), then
durable ingest with the chatbot API down (and, with --delivering, while a stand-in API answers at
once). The load generator is always NEW's `gangway bench load`, pinned as run.py pins it (servers
on core 1, load on core 0). Prints one line per run and the means; every server is on 127.0.0.1
and every load is bounded in time.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--delivering", action="store_true")
    ap.add_argument("--no-hello", action="store_true")
    args = ap.parse_args()
    binaries = {"A": str(Path(args.a).resolve()), "B": str(Path(args.b).resolve())}
    figures = {}
    with tempfile.TemporaryDirectory(prefix="gangway-ab-") as tmp:
        r = run.Run(binaries["B"], tmp, quick=False)
        try:
            for rnd in range(1, args.rounds + 1):
                order = ["A", "B"] if rnd % 2 else ["B", "A"]
                for name in order:
                    binary = binaries[name]
                    if not args.no_hello:
                        port = run.free_port()
                        r.bin = binary
                        hello = r.spawn("bench", "hello", "--port", str(port), log=f"hello-{name}.log")
                        r.bin = binaries["B"]
                        run.wait_http(f"http://127.0.0.1:{port}/")
                        res = r.load(f"http://127.0.0.1:{port}/", args.seconds)
                        r.stop(hello)
                        figures.setdefault(("hello", name), []).append(res["rps"])
                        print(f"round {rnd} {name} hello {res['rps']:.0f}", flush=True)
                    kinds = ["down"] + (["delivering"] if args.delivering else [])
                    for kind in kinds:
                        up = None
                        if kind == "delivering":
                            up, up_port = r.upstream()
                        else:
                            up_port = run.free_port()
                        store = Path(tmp) / f"{name}-{rnd}-{kind}.sqlite"
                        r.bin = binary
                        gw, port, _ = r.gateway(up_port, store, name=f"gw-{name}")
                        r.bin = binaries["B"]
                        time.sleep(0.3)
                        before = cpu_seconds(gw.pid)
                        res = r.load(f"http://127.0.0.1:{port}/webhooks/wa", args.seconds)
                        # CPU per webhook moves far less than req/s when something else shares the core.
                        used = cpu_seconds(gw.pid) - before
                        r.stop(gw)
                        if up:
                            r.stop(up)
                        figures.setdefault((kind, name), []).append(res["rps"])
                        us = used / max(res["ok"], 1) * 1e6
                        figures.setdefault((kind + " µs CPU/webhook", name), []).append(us)
                        print(f"round {rnd} {name} ingest-{kind} {res['rps']:.0f} req/s, p50 {res.get('p50ms', 0):.1f} p99 {res.get('p99ms', 0):.1f} ms,"
                              f" {us:.0f} µs CPU per webhook", flush=True)
        finally:
            r.stop_all()
    for (kind, name), values in sorted(figures.items()):
        print(f"{kind:>10} {name}: mean {statistics.mean(values):,.0f} ({', '.join(f'{v:.0f}' for v in values)})")
    for kind in sorted({k for k, _ in figures}):
        a, b = figures.get((kind, "A")), figures.get((kind, "B"))
        if a and b:
            wins = sum(1 for x, y in zip(a, b) if y > x)
            print(f"{kind:>10}: B/A = {statistics.mean(b) / statistics.mean(a):.3f}, B ahead in {wins} of {len(a)} rounds")


if __name__ == "__main__":
    main()
