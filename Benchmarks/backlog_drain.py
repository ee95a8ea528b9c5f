#!/usr/bin/env python3
"""Times the drain of a large backlog on its own: fills N calls over 1,000 conversations while the
chatbot API is down (the gateway runs 15 s against the dead API, so that some heads are retried and
their conversations held back), then starts the stand-in and prints the calls delivered every 10 s
until all are (bounded at 20 minutes). Usage: python3 Benchmarks/backlog_drain.py [N]
(release binary from scripts/bench.sh). `Benchmarks/run.py` does the same as part of a full run."""
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
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
        store = Path(tmp) / "backlog.sqlite"
        dead_port = m.free_port()
        gw, gw_port, cfg = r.gateway(dead_port, store, name="backlog")
        r.stop(gw)
        t0 = time.time()
        subprocess.run([binary, "bench", "fill", "--config", str(cfg), "--channel", "wa", "--count", str(backlog)], check=True, capture_output=True)
        print("filled in", round(time.time() - t0, 1), "s", flush=True)
        gw, gw_port, cfg = r.gateway(dead_port, store, name="backlog")
        time.sleep(15)
        print("RSS with the backlog, API down:", m.rss_kb(gw.pid), "kB", flush=True)
        up, _ = r.upstream(dead_port)
        t0, last, n = time.time(), 0, 0
        while time.time() - t0 < 1200:
            time.sleep(10)
            n = m.calls_count(dead_port)
            print(f"{time.time() - t0:6.0f} s  {n:9,} delivered  {(n - last) / 10:7.0f} calls/s", flush=True)
            last = n
            if n >= backlog:
                break
        elapsed = time.time() - t0
        print(json.dumps({"drained": n, "of": backlog, "seconds": round(elapsed, 1), "rps": round(n / elapsed, 1),
                          "hwm_kb": m.rss_kb(gw.pid, "VmHWM")}))
    finally:
        r.stop_all()
