#!/usr/bin/env python3
"""Times the drain of a large backlog on its own: fills N calls over 1,000 conversations while the
chatbot API is down (the gateway runs 15 s against the dead API, so that some heads are retried and
their conversations held back), then starts the stand-in and prints the calls delivered every 10 s
until all are (bounded at 20 minutes), then the tail (what the last 10% and 1% took), the total time
and the gateway's peak RSS. `Benchmarks/run.py` does the same (SQLite) as part of a full run.

    python3 Benchmarks/backlog_drain.py [N] [--postgres] [--binary PATH] [--interval SECONDS]

The store is SQLite in a temp folder; with --postgres, a throwaway PostgreSQL cluster
(scripts/postgres.sh, removed at the end), and the primary's commits during the drain are counted.
The binary is --binary, else $GANGWAY_BIN, else the release build from scripts/bench.sh."""
import argparse
import contextlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
spec = importlib.util.spec_from_file_location("run", HERE / "run.py")
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("calls", nargs="?", type=int, default=1_000_000)
ap.add_argument("--postgres", action="store_true", help="drain a PostgreSQL store (a throwaway cluster) instead of SQLite")
ap.add_argument("--interval", type=float, default=10, help="seconds between looks at the stand-in's count")
ap.add_argument("--binary", default=os.environ.get("GANGWAY_BIN") or str(HERE.parent / ".build-release" / "release" / "gangway"))
args = ap.parse_args()
binary = str(Path(args.binary).resolve())
if not Path(binary).exists():
    sys.exit(f"no gangway binary at {binary}: swift build -c release --product gangway --scratch-path .build-release, or --binary PATH")

with tempfile.TemporaryDirectory(prefix="gangway-drain-") as tmp, \
        (m.throwaway_postgres() if args.postgres else contextlib.nullcontext()) as pg_url:
    r = m.Run(binary, tmp, False)
    try:
        result = m.backlog_phase(
            r, binary, tmp, args.calls, settle=15, limit=1200, interval=args.interval, pg_url=pg_url,
            progress=lambda t, n, rate: print(f"{t:6.0f} s  {n:9,} delivered  {rate:7.0f} calls/s", flush=True))
    finally:
        r.stop_all()
    print(f"store {result['store']}: {result['drained']:,} of {result['calls']:,} delivered in {result['drain_seconds']} s "
          f"({result['drain_rps']:,.0f} calls/s)" + ("" if result["drain_complete"] else ", NOT complete"))
    if "tail_last_10pct_seconds" in result:
        print(f"tail: the last 10% took {result['tail_last_10pct_seconds']} s, the last 1% {result['tail_last_1pct_seconds']} s "
              f"(to the {args.interval:g} s of the looks)")
    print(f"gateway peak RSS {result['drain_hwm_kb'] / 1024:.1f} MB (with the API down: {result['rss_kb'] / 1024:.1f} MB)")
    if args.postgres:
        print(f"primary: {result['drain_commits_per_second']:,.1f} commits/s ({result['calls_per_commit']} calls per commit, "
              "read-only transactions included)"
              + (f", {result['drain_wal_syncs_per_second']:,.1f} WAL flushes/s" if "drain_wal_syncs_per_second" in result else ""))
    print(json.dumps(result))
