"""Multi-replica throughput: N release gateways on one PostgreSQL database, each loaded by its own
`gangway bench load` for the same time, the chatbot API down (ingest alone). `Benchmarks/run.py`
uses `measure` for its PostgreSQL rows; on its own:

    eval "$(scripts/postgres.sh)"; python3 Benchmarks/replicas.py [replicas] [seconds]

prints the sum beside one replica's figure (GANGWAY_TEST_POSTGRES_URL names the server)."""
import json, os, signal, socket, subprocess, sys, tempfile, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def server_counters(pg_url):
    """The server's WAL position (bytes) and committed transactions so far, and the connections open now."""
    q = ("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, (SELECT sum(xact_commit) FROM pg_stat_database)::bigint,"
         " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')")
    out = subprocess.run(["psql", pg_url, "-At", "-F", " ", "-c", q], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), int(out[2])


def wal_syncs(pg_url):
    """The server's WAL flushes so far (`pg_stat_wal`, PostgreSQL 14 and later; None before): unlike
    `xact_commit`, which counts read-only transactions too, what the writing commits cost the disk."""
    out = subprocess.run(["psql", pg_url, "-At", "-c", "SELECT wal_sync FROM pg_stat_wal"], capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip().isdigit() else None


def new_database(pg_url):
    """Creates a database of its own on `pg_url`'s server; returns its URL."""
    db = "bench_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", pg_url, "-q", "-c", f"CREATE DATABASE {db}"], check=True, capture_output=True)
    return pg_url.rsplit("/", 1)[0] + "/" + db + "?sslmode=disable"


def postgres_store(url):
    """The `store:` line of Benchmarks/bench.yaml.in for a PostgreSQL database."""
    return f'store: {{ driver: postgres, url: "{url}" }}'


def measure(binary, pg_url, count, seconds, connections=64, server=(), client=(), details=None):
    """`count` replicas on a new database of `pg_url`'s server; returns (total req/s, per-replica results).
    `server` and `client` prefix the gateways' and the load generators' commands (e.g. taskset).
    `details`, a dict, receives what the primary did: commits/s, WAL bytes per webhook, connections."""
    url = new_database(pg_url)
    tmp = tempfile.mkdtemp(prefix="gangway-replicas-")
    procs, ports = [], []
    down = free()
    for i in range(count):
        port = free()
        cfg = os.path.join(tmp, f"r{i}.yaml")
        open(cfg, "w").write(open(os.path.join(ROOT, "Benchmarks", "bench.yaml.in")).read()
                             .replace("@GATEWAY_PORT@", str(port)).replace("@UPSTREAM_PORT@", str(down))
                             .replace("store: { path: @STORE@ }", postgres_store(url)))
        procs.append(subprocess.Popen([*server, binary, "serve", "--config", cfg, "--log-level", "warning"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ports.append(port)
    try:
        for port in ports:
            for _ in range(300):
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).status == 200:
                        break
                except OSError:
                    time.sleep(0.1)
        wal0, commits0, _ = server_counters(pg_url)
        t0 = time.time()
        loads = [subprocess.Popen([*client, binary, "bench", "load", "--url", f"http://127.0.0.1:{p}/webhooks/wa", "--seconds", str(seconds),
                                   "--connections", str(max(8, connections // count))], stdout=subprocess.PIPE, text=True) for p in ports]
        time.sleep(min(seconds / 2, 5))
        _, _, open_connections = server_counters(pg_url)
        results = [json.loads(l.communicate(timeout=seconds + 120)[0].strip().splitlines()[-1]) for l in loads]
        wal1, commits1, _ = server_counters(pg_url)
        elapsed = time.time() - t0
        accepted = sum(r["ok"] for r in results)
        if details is not None:
            details.update(commits_per_second=round((commits1 - commits0) / elapsed, 1),
                           wal_bytes_per_webhook=round((wal1 - wal0) / max(1, accepted)),
                           wal_mb_per_second=round((wal1 - wal0) / elapsed / 2**20, 2), connections=open_connections,
                           webhooks_per_commit=round(accepted / max(1, commits1 - commits0), 2))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
    return sum(r["rps"] for r in results), results


if __name__ == "__main__":
    binary = os.path.join(ROOT, ".build-release", "release", "gangway")
    pg = os.environ["GANGWAY_TEST_POSTGRES_URL"]
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
    one, _ = measure(binary, pg, 1, seconds)
    many, detail = measure(binary, pg, n, seconds)
    print(json.dumps({"replicas": n, "total_rps": round(many, 1), "one_replica_rps": round(one, 1), "per_replica": [r["rps"] for r in detail]}))
