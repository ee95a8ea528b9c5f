"""SIGTERM drains: /readyz turns 503 at once, in-flight deliveries finish or return to the store,
the process exits 0, and nothing acknowledged is lost across the restart."""
import json
import threading
import time
import unittest

from harness import Gateway, TempDir, Upstream, request, wait_until

SECRET = "e2e-telegram-secret"
CHANNEL = "      - { id: tg, name: TG, provider: telegram, chatbotId: bot_tg, secrets: { secretToken: %s } }" % SECRET
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}


def body(uid, chat=1):
    return json.dumps({"update_id": uid, "message": {"message_id": uid, "chat": {"id": chat, "type": "private"}, "date": 1, "text": str(uid)}}).encode()


class LifecycleTest(unittest.TestCase):
    def test_sigterm_drains_and_exits_zero(self):
        with TempDir() as tmp:
            up = Upstream(tmp, "--delay", "1")  # each delivery takes a second: some are in flight at SIGTERM
            gw = Gateway(tmp, up.url, CHANNEL, extra_args=("--drain-delay", "1")).start()
            for uid in range(1, 6):
                self.assertEqual(gw.post("/webhooks/tg", body(uid, chat=uid), HEADERS)[0], 200)
            time.sleep(0.3)
            exit_code = {}
            t = threading.Thread(target=lambda: exit_code.setdefault("code", gw.terminate(timeout=30)))
            t.start()
            wait_until(lambda: request(gw.port, "GET", "/readyz")[0] == 503, timeout=5, what="/readyz 503 while draining")
            status, _, _ = gw.post("/webhooks/tg", body(99), HEADERS)
            self.assertEqual(status, 503)  # the provider retries later
            t.join(40)
            self.assertEqual(exit_code.get("code"), 0, gw.output()[-2000:])
            gw.start()
            wait_until(lambda: {c["idempotencyKey"] for c in up.calls() if c["status"] == 200} >= {f"tg:{u}" for u in range(1, 6)}, timeout=30, what="delivery after restart")
            gw.stop()
            up.stop()

    def test_upstream_down_then_back_everything_is_delivered(self):
        with TempDir() as tmp:
            up = Upstream(tmp, "--fail-first", "8", "--fail-status", "503", "--retry-after", "0")
            gw = Gateway(tmp, up.url, CHANNEL, retry="{ maxAttempts: 50, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2 }").start()
            try:
                for uid in range(1, 11):
                    self.assertEqual(gw.post("/webhooks/tg", body(uid, chat=uid % 3), HEADERS)[0], 200)
                wait_until(lambda: len({c["idempotencyKey"] for c in up.calls() if c["status"] == 200}) == 10, timeout=30, what="all delivered")
                keys = [c["idempotencyKey"] for c in up.calls()]
                self.assertGreater(len(keys), 10)  # retries happened
                status, metrics, _ = gw.get("/metrics")
                self.assertEqual(status, 200)
                self.assertIn('gangway_calls_delivered_total{channel="tg",provider="telegram"} 10', metrics)
                self.assertIn("gangway_calls_retried_total", metrics)
                self.assertIn('gangway_webhooks_total{channel="tg",provider="telegram",outcome="accepted"} 10', metrics)
            finally:
                gw.stop()
                up.stop()


if __name__ == "__main__":
    unittest.main()
