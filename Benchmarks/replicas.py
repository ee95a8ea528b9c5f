"""Multi-replica throughput: N release gateways on one PostgreSQL database (GANGWAY_TEST_POSTGRES_URL,
e.g. from `eval "$(scripts/postgres.sh)"`), each loaded by its own `gangway bench load` for the same
time, the chatbot API down (ingest alone). Prints the sum beside one replica's figure.
Usage: python3 Benchmarks/replicas.py [replicas] [seconds]"""
import json, os, signal, socket, subprocess, sys, tempfile, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(ROOT, ".build-release", "release", "gangway")
PG = os.environ["GANGWAY_TEST_POSTGRES_URL"]
n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10


def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def run(count):
    db = "bench_" + uuid.uuid4().hex[:10]
    subprocess.run(["psql", PG, "-q", "-c", f"CREATE DATABASE {db}"], check=True, capture_output=True)
    url = PG.rsplit("/", 1)[0] + "/" + db + "?sslmode=disable"
    tmp = tempfile.mkdtemp(prefix="gangway-replicas-")
    procs, ports = [], []
    down = free()
    for i in range(count):
        port = free()
        cfg = os.path.join(tmp, f"r{i}.yaml")
        open(cfg, "w").write(open(os.path.join(ROOT, "Benchmarks", "bench.yaml.in")).read()
                             .replace("@GATEWAY_PORT@", str(port)).replace("@UPSTREAM_PORT@", str(down))
                             .replace("store: { path: @STORE@ }", f'store: {{ driver: postgres, url: "{url}" }}'))
        procs.append(subprocess.Popen([B, "serve", "--config", cfg, "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ports.append(port)
    for port in ports:
        for _ in range(200):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
    loads = [subprocess.Popen([B, "bench", "load", "--url", f"http://127.0.0.1:{p}/webhooks/wa", "--seconds", str(seconds),
                               "--connections", str(max(8, 64 // count))], stdout=subprocess.PIPE, text=True) for p in ports]
    results = [json.loads(l.communicate()[0].strip().splitlines()[-1]) for l in loads]
    for p in procs:
        p.send_signal(signal.SIGTERM)
        p.wait(30)
    return sum(r["rps"] for r in results), results


one, _ = run(1)
many, detail = run(n)
print(json.dumps({"replicas": n, "total_rps": round(many, 1), "one_replica_rps": round(one, 1), "per_replica": [r["rps"] for r in detail]}))
