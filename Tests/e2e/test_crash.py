"""kill -9 of the real gateway while webhooks are posted: every acknowledged webhook is delivered
after a restart, in order per conversation, and no call is delivered under two idempotency keys."""
import json
import threading
import time
import unittest

from harness import Gateway, TempDir, Upstream, check_deliveries, wait_until

SECRET = "e2e-telegram-secret"
CHANNEL = "      - { id: tg, name: TG, provider: telegram, chatbotId: bot_tg, secrets: { secretToken: %s } }" % SECRET
CHATS = 12
PER_CHAT = 40


def update(chat, n):
    update_id = chat * 100000 + n
    body = {"update_id": update_id, "message": {"message_id": n, "chat": {"id": chat, "type": "private"}, "date": 1764064800, "text": f"{chat}-{n}"}}
    return update_id, json.dumps(body).encode()


class CrashTest(unittest.TestCase):
    def test_kill9_mid_load_loses_nothing_acknowledged(self):
        with TempDir() as tmp:
            up = Upstream(tmp, "--delay", "0.002")
            gw = Gateway(tmp, up.url, CHANNEL).start()
            acked = set()
            lock = threading.Lock()
            killed = threading.Event()

            def sender(chat, start, end):
                # A provider sends one chat's updates in order and retries until acknowledged.
                for n in range(start, end):
                    uid, body = update(chat, n)
                    while True:
                        try:
                            status, _, _ = gw.post("/webhooks/tg", body, {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=5)
                        except OSError:
                            status = None
                        if status == 200:
                            with lock:
                                acked.add(uid)
                            break
                        if killed.is_set():
                            return n  # not acknowledged: resend after the restart
                        time.sleep(0.01)
                return end

            results = {}

            def run(chat):
                results[chat] = sender(chat, 0, PER_CHAT)

            threads = [threading.Thread(target=run, args=(c,)) for c in range(1, CHATS + 1)]
            for t in threads:
                t.start()
            wait_until(lambda: len(acked) >= CHATS * PER_CHAT // 3, timeout=60, what="a third acknowledged")
            killed.set()
            gw.kill9()
            for t in threads:
                t.join(30)
            acked_before_kill = set(acked)

            gw.start()  # same config, same store
            killed.clear()
            resume = [threading.Thread(target=lambda c=c: sender(c, results[c], PER_CHAT)) for c in range(1, CHATS + 1)]
            for t in resume:
                t.start()
            for t in resume:
                t.join(60)
            self.assertEqual(len(acked), CHATS * PER_CHAT)
            wait_until(lambda: {c["idempotencyKey"] for c in up.calls() if c["status"] == 200} >= {f"tg:{u}" for u in acked}, timeout=60, what="all delivered")
            gw.stop()
            calls = [c for c in up.calls() if c["status"] == 200]
            up.stop()

            delivered, repeats = check_deliveries(self, calls, {f"tg:{u}" for u in acked_before_kill})
            print(f"\ncrash test: {len(acked_before_kill)} acknowledged before kill -9, {len(delivered)} delivered, "
                  f"0 lost, {repeats} repeats (same key, in flight at the kill)")


if __name__ == "__main__":
    unittest.main()
