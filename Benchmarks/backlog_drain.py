#!/usr/bin/env python3
"""Times the drain of a large backlog on its own: fills N calls over 1,000 conversations while the
chatbot API is down (the gateway runs 15 s against the dead API, so that some heads are retried and
their conversations held back), then starts the stand-in and prints the calls delivered every 10 s
until all are (bounded at 20 minutes). Usage: python3 Benchmarks/backlog_drain.py [N]
(release binary from scripts/bench.sh). `Benchmarks/run.py` does the same as part of a full run."""
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("run", HERE / "run.py")
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
binary = str(HERE.parent / ".build-release" / "release" / "gangway")
backlog = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
with tempfile.TemporaryDirectory(prefix="gangway-drain-") as tmp:
    r = m.Run(binary, tmp, False)
    try:
        result = m.backlog_phase(
            r, binary, tmp, backlog, settle=15, limit=1200, interval=10,
            progress=lambda t, n, rate: print(f"{t:6.0f} s  {n:9,} delivered  {rate:7.0f} calls/s", flush=True))
        print(json.dumps(result))
    finally:
        r.stop_all()
