"""Signals a stranger (or a careless operator) can send (issue 12): twenty `kill -9` under load lose no
acknowledged webhook, and `SIGHUP` reloads the config file like `POST /admin/reload` instead of ending
the process. Everything on 127.0.0.1; every wait and count is bounded; processes stopped at the end."""
import os
import random
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # harness, also when run as a file path
from harness import (Gateway, TempDir, Upstream, check_deliveries, record_secrets_of_config, telegram_channel, telegram_headers,
                     telegram_update, wait_until)

TRIALS = 20
CHATS = 8


class Providers:
    """One thread per chat posting its updates in order, each retried until acknowledged (through
    kills and restarts), until stopped. `acked` holds the acknowledged update ids."""

    def __init__(self, gw, chats, pause=0.005, first_chat=1, channel="tg", secret="e2e-telegram-secret"):
        self.gw, self.pause, self.channel, self.headers = gw, pause, channel, telegram_headers(secret)
        self.acked, self.sent, self.statuses = set(), set(), []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(c,), daemon=True) for c in range(first_chat, first_chat + chats)]
        for t in self.threads:
            t.start()

    def _run(self, chat):
        n = 0
        while not self.stopped.is_set():
            uid, body = telegram_update(chat, n)
            with self.lock:
                self.sent.add(uid)
            try:
                status = self.gw.post(f"/webhooks/{self.channel}", body, self.headers, timeout=5)[0]
            except OSError as e:
                status = type(e).__name__
            with self.lock:
                self.statuses.append(status)
                if status == 200:
                    self.acked.add(uid)
            if status == 200:
                n += 1
                self.stopped.wait(self.pause)
            else:
                self.stopped.wait(0.02)

    def count(self):
        with self.lock:
            return len(self.acked)

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join(10)


class KillTrialsTest(unittest.TestCase):
    def test_twenty_kill9_trials_under_load_lose_nothing(self):
        """20 times: webhooks flow for 0.2-0.6 s, `kill -9`, restart on the same store while the providers
        keep retrying. Afterwards every acknowledged webhook is delivered, in order per conversation,
        under one key each."""
        rng = random.Random(12)
        with TempDir() as tmp:
            up = Upstream(tmp, "--delay", "0.002")
            gw = Gateway(tmp, up.url, telegram_channel()).start()
            providers = None
            try:
                providers = Providers(gw, CHATS)
                acks_per_trial, restart_seconds = [], []
                for _ in range(TRIALS):
                    before = providers.count()
                    time.sleep(rng.uniform(0.2, 0.6))
                    gw.kill9()
                    acks_per_trial.append(providers.count() - before)
                    t = time.monotonic()
                    gw.start()  # same config, same store; fails the test if /readyz does not come back
                    restart_seconds.append(time.monotonic() - t)
                time.sleep(0.5)
                providers.stop()
                acked = {f"tg:{u}" for u in providers.acked}
                sent = {f"tg:{u}" for u in providers.sent}
                wait_until(lambda: {c["idempotencyKey"] for c in up.calls() if c["status"] == 200} >= acked, timeout=60, what="all acknowledged delivered")
                gw.stop()
                calls = [c for c in up.calls() if c["status"] == 200]
                delivered, repeats = check_deliveries(self, calls, acked)
                print(f"\n{TRIALS} kill -9 trials: {len(acked)} webhooks acknowledged ({min(acks_per_trial)}..{max(acks_per_trial)} per trial), "
                      f"{len(delivered)} delivered, 0 lost, {repeats} repeats (same key, in flight at a kill), "
                      f"{sum(1 for s in providers.statuses if s != 200)} posts cut by a kill and sent again; "
                      f"restart to ready {min(restart_seconds):.2f}..{max(restart_seconds):.2f} s")
                self.assertLessEqual(delivered, sent, "a call was delivered that no provider sent")
                self.assertGreaterEqual(sum(1 for a in acks_per_trial if a > 0), TRIALS - 2, "most trials must kill under load")
            finally:
                if providers:
                    providers.stop()
                gw.stop()
                up.stop()


class SighupTest(unittest.TestCase):
    def test_sighup_reloads_the_file_and_never_ends_the_process(self):
        """SIGHUP with a new channel in the file: the process stays, the channel answers. SIGHUP with an
        invalid file: refused, logged, the old configuration stays. A burst of SIGHUPs while webhooks
        flow: none of them is dropped, the process stays, SIGTERM still drains and exits 0."""
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel()).start()
            providers = None
            try:
                uid, body = telegram_update(50, 0)
                self.assertEqual(gw.post("/webhooks/tg2", body, telegram_headers("e2e-telegram-secret-2"))[0], 404)
                original = gw.config.read_text()
                with_tg2 = original.rstrip("\n") + "\n" + telegram_channel("tg2", "e2e-telegram-secret-2", "bot_tg2") + "\n"
                record_secrets_of_config(with_tg2)
                gw.config.write_text(with_tg2)
                gw.proc.send_signal(signal.SIGHUP)
                wait_until(lambda: gw.post("/webhooks/tg2", body, telegram_headers("e2e-telegram-secret-2"))[0] == 200, timeout=5,
                           what="the channel added to the file answering after SIGHUP")
                time.sleep(0.5)
                self.assertIsNone(gw.proc.poll(), "SIGHUP ended the gateway:\n" + gw.output()[-3000:])
                status, channels, _ = gw.admin("GET", "/channels")
                self.assertEqual(status, 200)
                self.assertIn('"tg2"', channels)

                # An invalid file: refused on SIGHUP, the old configuration (with tg2) stays.
                gw.config.write_text(with_tg2.replace("server:\n", "server:\n  colour: blue\n", 1))
                gw.proc.send_signal(signal.SIGHUP)
                wait_until(lambda: "colour" in gw.output(), timeout=5, what="the refused reload logged with its error")
                self.assertIsNone(gw.proc.poll(), gw.output()[-3000:])
                self.assertEqual(gw.post("/webhooks/tg2", telegram_update(50, 1)[1], telegram_headers("e2e-telegram-secret-2"))[0], 200)
                refused_lines = [line for line in gw.output().splitlines() if "colour" in line]

                # A burst of SIGHUPs while webhooks flow on both channels.
                gw.config.write_text(with_tg2)
                providers = [Providers(gw, 3), Providers(gw, 2, first_chat=60, channel="tg2", secret="e2e-telegram-secret-2")]
                for _ in range(10):
                    gw.proc.send_signal(signal.SIGHUP)
                    time.sleep(0.1)
                time.sleep(0.5)
                for p in providers:
                    p.stop()
                self.assertIsNone(gw.proc.poll(), "a burst of SIGHUPs ended the gateway:\n" + gw.output()[-3000:])
                statuses = providers[0].statuses + providers[1].statuses
                keys = {f"tg:{u}" for u in providers[0].acked} | {f"tg2:{u}" for u in providers[1].acked} | {"tg2:5000000", "tg2:5000001"}
                wait_until(lambda: {c["idempotencyKey"] for c in up.calls() if c["status"] == 200} >= keys, timeout=20, what="delivery")
                code = gw.terminate()
                print(f"\nSIGHUP: channel added live; invalid file refused ({refused_lines[0][:160] if refused_lines else 'no log line'}); "
                      f"11 SIGHUPs, process alive; {len(statuses)} webhooks during the burst: {dict((s, statuses.count(s)) for s in set(statuses))}; "
                      f"SIGTERM exit {code}")
                self.assertEqual(set(statuses), {200}, "a webhook was refused or dropped during a reload")
                self.assertEqual(code, 0)
            finally:
                if providers:
                    for p in providers:
                        p.stop()
                gw.stop()
                up.stop()


if __name__ == "__main__":
    unittest.main()
