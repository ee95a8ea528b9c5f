"""Three gateway processes on one PostgreSQL database, webhooks spread across them, one replica
killed with kill -9 mid-load: every acknowledged webhook is delivered, one idempotency key per
message, in order per conversation, and a duplicate sent to two replicas is stored once."""
import json
import os
import subprocess
import uuid
import threading
import time
import unittest

from harness import ROOT, Gateway, TempDir, Upstream, check_deliveries, wait_until

PG = os.environ.get("GANGWAY_TEST_POSTGRES_URL")
SECRET = "e2e-telegram-secret"
CHANNEL = "      - { id: tg, name: TG, provider: telegram, chatbotId: bot_tg, secrets: { secretToken: %s } }" % SECRET
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
CHATS = 12
PER_CHAT = 30


def update(chat, n):
    uid = chat * 100000 + n
    return uid, json.dumps({"update_id": uid, "message": {"message_id": n, "chat": {"id": chat, "type": "private"}, "date": 1, "text": f"{chat}-{n}"}}).encode()


@unittest.skipUnless(PG, "GANGWAY_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL)")
class ReplicasTest(unittest.TestCase):
    def test_three_replicas_one_killed_mid_load(self):
        with TempDir() as tmp:
            up = Upstream(tmp, "--delay", "0.003")
            # A fresh database for this run.
            db = "replicas_" + uuid.uuid4().hex[:12]
            subprocess.run(["psql", PG, "-q", "-c", f"CREATE DATABASE {db}"], check=True, capture_output=True)
            url = PG.rsplit("/", 1)[0] + "/" + db + "?sslmode=disable"
            replicas = [Gateway(tmp, up.url, CHANNEL, store_yaml=f"{{ driver: postgres, url: \"{url}\" }}") for _ in range(3)]
            for r in replicas:
                r.start()
            acked = set()
            lock = threading.Lock()
            victim = replicas[1]
            killed = threading.Event()

            def sender(chat):
                for n in range(PER_CHAT):
                    uid, body = update(chat, n)
                    attempt = 0
                    while True:
                        # A provider's load balancer spreads requests; a failed one is retried on the next replica.
                        target = replicas[(chat + n + attempt) % 3]
                        attempt += 1
                        if target is victim and killed.is_set():
                            continue
                        try:
                            status, _, _ = target.post("/webhooks/tg", body, HEADERS, timeout=5)
                        except OSError:
                            status = None
                        if status == 200:
                            with lock:
                                acked.add(uid)
                            break
                        time.sleep(0.01)

            threads = [threading.Thread(target=sender, args=(c,)) for c in range(1, CHATS + 1)]
            started = time.time()
            for t in threads:
                t.start()
            wait_until(lambda: len(acked) >= CHATS * PER_CHAT // 3, timeout=60, what="a third acknowledged")
            killed.set()
            victim.kill9()
            for t in threads:
                t.join(120)
            self.assertEqual(len(acked), CHATS * PER_CHAT)
            # A provider retry of one update to two live replicas is stored once (the database's unique key).
            uid, body = update(1, 0)
            for r in (replicas[0], replicas[2]):
                self.assertEqual(r.post("/webhooks/tg", body, HEADERS)[0], 200)
            # The victim's leases (30 s) expire, and the others deliver what it held.
            wait_until(lambda: {c["idempotencyKey"] for c in up.calls() if c["status"] == 200} >= {f"tg:{u}" for u in acked},
                       timeout=120, what="all delivered")
            elapsed = time.time() - started
            for r in (replicas[0], replicas[2]):
                r.stop()
            calls = [c for c in up.calls() if c["status"] == 200]
            up.stop()

            delivered, repeats = check_deliveries(self, calls, {f"tg:{u}" for u in acked}, exactly=True)
            print(f"\nreplicas test: 3 replicas on PostgreSQL, 1 killed -9; {len(acked)} acknowledged, {len(delivered)} delivered, "
                  f"0 lost, {repeats} repeats (same key), {elapsed:.1f} s including the 30 s lease")


class PostgresOutageTest(unittest.TestCase):
    """The database goes away: /readyz 503, webhooks 503 (the provider retries), and when it comes
    back everything acknowledged is delivered. Uses a cluster of its own."""

    def test_connection_loss_and_recovery(self):
        script = str(ROOT / "scripts" / "postgres.sh")
        out = subprocess.run([script], check=True, capture_output=True, text=True).stdout
        env = dict(line.replace("export ", "").split("=", 1) for line in out.strip().splitlines())
        url, pgdir = env["GANGWAY_TEST_POSTGRES_URL"], env["GANGWAY_TEST_POSTGRES_DIR"]
        try:
            with TempDir() as tmp:
                up = Upstream(tmp)
                gw = Gateway(tmp, up.url, CHANNEL, store_yaml=f"{{ driver: postgres, url: \"{url}\" }}").start()
                try:
                    self.assertEqual(gw.post("/webhooks/tg", update(1, 1)[1], HEADERS)[0], 200)
                    subprocess.run([script, "pause", pgdir], check=True)
                    wait_until(lambda: gw.get("/readyz")[0] == 503, timeout=20, what="/readyz 503 without the database")
                    self.assertEqual(gw.post("/webhooks/tg", update(1, 2)[1], HEADERS, timeout=15)[0], 503)
                    subprocess.run([script, "resume", pgdir], check=True)
                    wait_until(lambda: gw.get("/readyz")[0] == 200, timeout=30, what="/readyz 200 again")
                    wait_until(lambda: gw.post("/webhooks/tg", update(1, 2)[1], HEADERS)[0] == 200, timeout=30, what="webhooks accepted again")
                    # Well inside the 30 s lease of the call that was in flight when the database went away:
                    # its outcome is recorded once the database is back, and the conversation moves on.
                    wait_until(lambda: {c["idempotencyKey"] for c in up.calls()} >= {"tg:100001", "tg:100002"}, timeout=15, what="delivery after recovery")
                except BaseException:
                    print("\ngateway log (tail):\n" + gw.output()[-4000:])
                    raise
                finally:
                    gw.stop()
                    up.stop()
        finally:
            subprocess.run([script, "stop", pgdir])


if __name__ == "__main__":
    unittest.main()
