"""No configured secret ever leaves the gateway (issue 12): a gateway with secrets of every kind (a
channel's secrets, a rotated list, one from `${ENV}`, the upstream and a channel API key, the admin
token) runs at debug level and is driven through everything that prints or answers: `check-config`,
`simulate`, `deliveries list/show`, `/admin/channels`, `/admin/deliveries`, `/admin/deliveries/{id}`,
`/metrics`, `/admin/openapi.json`, good and failed verifications (a secret sent in a header or a query,
a wrong admin token that starts with the right one), retries and dead letters, reloads refused over
`POST /admin/reload` and `SIGHUP`. No secret value may appear in any log line, output or answer.
The test also checks scripts/check_secrets.py itself: clean logs pass, a planted secret fails with its
file and line and only a hint of the secret."""
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # harness, also when run as a file path
from harness import (ROOT, Gateway, TempDir, Upstream, check_secrets_module, record_secrets, request, run_cli, telegram_update,
                     wait_until)

TG = "e2e-leak-telegram-7f3a91"
TG_ENV = "e2e-leak-telegram-env-55c0d2"  # reaches the config through ${E2E_LEAK_TG_ENV}
WA_OLD, WA = "e2e-leak-wa-old-91c2aa", "e2e-leak-wa-new-3e7b04"  # appSecret while rotated: [old, new]
WA_VERIFY = "e2e-leak-wa-verify-5d1e77"
TW = "e2e-leak-twilio-0b8e13"
ADMIN = "e2e-leak-admin-c4a9f0"
API = "e2e-leak-upstream-2e6f55"
CHANNEL_API = "e2e-leak-channel-8d0b36"
TYPO = "e2e-leak-typo-1a2b3c"  # in a refused reload: under a misspelt key
NEW_TW = "e2e-leak-reload-twilio-99f1"  # in a refused reload: a new value of a known key
SECRETS = [TG, TG_ENV, WA_OLD, WA, WA_VERIFY, TW, ADMIN, API, CHANNEL_API, TYPO, NEW_TW]

CHANNELS = f"""      - {{ id: tg, name: TG, provider: telegram, chatbotId: bot_tg, apiKey: {CHANNEL_API}, secrets: {{ secretToken: {TG} }} }}
      - {{ id: tgenv, name: TGENV, provider: telegram, chatbotId: bot_tg, secrets: {{ secretToken: "${{E2E_LEAK_TG_ENV}}" }} }}
      - {{ id: wa, name: WA, provider: whatsapp, chatbotId: bot_wa, secrets: {{ appSecret: [{WA_OLD}, {WA}], verifyToken: {WA_VERIFY} }} }}
      - {{ id: sms, name: SMS, provider: twilio, chatbotId: bot_sms, secrets: {{ authToken: {TW} }} }}"""


def _wa_body(message_id, text):
    sample = json.loads((ROOT / "adapters" / "whatsapp" / "samples" / "text.json").read_text())
    raw = json.dumps(sample)
    return raw.replace(sample["entry"][0]["changes"][0]["value"]["messages"][0]["id"], message_id).replace(
        sample["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"], text).encode()


class SecretLeakTest(unittest.TestCase):
    def test_no_secret_in_any_log_output_or_answer(self):
        from twilio.request_validator import RequestValidator
        with TempDir() as tmp:
            out_dir = Path(tmp) / "outputs"
            out_dir.mkdir()
            outputs = []  # (name, text)

            def keep(name, text):
                outputs.append((name, text))
                safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
                (out_dir / f"{len(outputs):02d}-{safe}.txt").write_text(text)

            env_before = os.environ.get("E2E_LEAK_TG_ENV")
            os.environ["E2E_LEAK_TG_ENV"] = TG_ENV  # the gateway and every command inherit it
            record_secrets(set(SECRETS))
            up = Upstream(tmp, "--fail-first", "2", "--fail-status", "500")
            gw = Gateway(tmp, up.url, CHANNELS, admin_token=ADMIN, api_key=API, extra_args=("--log-level", "debug"),
                         retry="{ maxAttempts: 3, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1 }")
            admin = {"Authorization": f"Bearer {ADMIN}"}
            try:
                gw.start()
                cfg = ["--config", str(gw.config)]
                code, out, err = run_cli("check-config", *cfg)
                self.assertEqual(code, 0, err)
                keep("check-config", out + err)

                # Webhooks: good and failed verifications, a secret in a header and in a query.
                tg = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TG}
                for n, headers in enumerate([tg, dict(tg, **{"X-Telegram-Bot-Api-Secret-Token": TG + "x"}),
                                             dict(tg, **{"X-Telegram-Bot-Api-Secret-Token": TG[:-1]})]):
                    status, body, hdrs = gw.post("/webhooks/tg", telegram_update(1, n)[1], headers)
                    keep(f"tg-{n}-{status}", f"{status} {hdrs} {body}")
                status, body, hdrs = gw.post("/webhooks/tgenv", telegram_update(2, 0)[1], dict(tg, **{"X-Telegram-Bot-Api-Secret-Token": TG_ENV}))
                self.assertEqual(status, 200, body)
                keep("tgenv", f"{status} {hdrs} {body}")
                for n, secret in enumerate([WA, WA_OLD, WA + "x"]):
                    raw = _wa_body(f"wamid.leak{n}", f"leak test {n}")
                    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
                    status, body, hdrs = gw.post("/webhooks/wa", raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sig})
                    keep(f"wa-{n}-{status}", f"{status} {hdrs} {body}")
                    self.assertEqual(status, 401 if n == 2 else 200, body)
                for token in (WA_VERIFY, WA_VERIFY + "x"):
                    q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444"})
                    status, body, hdrs = gw.get(f"/webhooks/wa?{q}")
                    keep(f"wa-handshake-{status}", f"{status} {hdrs} {body}")
                params = dict(urllib.parse.parse_qsl((ROOT / "adapters" / "twilio" / "samples" / "sms.form").read_text().strip()))
                url = f"http://127.0.0.1:{gw.port}/webhooks/sms"
                for token in (TW, TW + "x"):
                    sig = RequestValidator(token).compute_signature(url, params)
                    status, body, hdrs = gw.post("/webhooks/sms", urllib.parse.urlencode(params).encode(),
                                                 {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
                    keep(f"sms-{status}", f"{status} {hdrs} {body}")
                code, out, err = run_cli("simulate", "--channel", "tg", "--sample", "callback-query", *cfg)
                keep("simulate", out + err)

                # Admin: a wrong token that starts with the right one, then everything with the right one.
                for wrong in (ADMIN + "x", ADMIN[:-1]):
                    status, body, _ = request(gw.port, "GET", "/admin/channels", headers={"Authorization": f"Bearer {wrong}"})
                    self.assertEqual(status, 401)
                    keep("admin-wrong-token", f"{status} {body}")
                wait_until(lambda: len([c for c in up.calls() if c["status"] == 200]) >= 4, timeout=20, what="deliveries after retries")
                for path in ("/admin/channels", "/admin/deliveries", "/admin/deliveries?state=delivered", "/admin/openapi.json",
                             "/admin/schema/upstream-envelope.json", "/metrics", "/readyz", "/healthz"):
                    status, body, hdrs = request(gw.port, "GET", path, headers=admin)
                    if path.startswith(("/admin/channels", "/admin/deliveries", "/metrics")):
                        self.assertEqual(status, 200, path)
                    keep("GET " + path, f"{status} {hdrs} {body}")
                ids = [item["id"] for item in json.loads(request(gw.port, "GET", "/admin/deliveries", headers=admin)[1])["items"]]
                self.assertTrue(ids)
                for i in ids[:4]:
                    keep(f"GET /admin/deliveries/{i}", request(gw.port, "GET", f"/admin/deliveries/{i}", headers=admin)[1])
                    code, out, err = run_cli("deliveries", "show", str(i), *cfg)
                    keep(f"deliveries-show-{i}", out + err)
                code, out, err = run_cli("deliveries", "list", *cfg)
                keep("deliveries-list", out + err)

                # Refused reloads: over the admin API, on SIGHUP, and check-config of the same file.
                good = gw.config.read_text()
                bad = (good.replace(f"secretToken: {TG} ", f"secretToken: {TG}, secretTokn: {TYPO} ")
                           .replace(f"authToken: {TW} ", f"authToken: {{ nested: {NEW_TW} }} ")
                           .replace("server:\n", "server:\n  colour: blue\n", 1))
                self.assertNotEqual(bad, good)
                gw.config.write_text(bad)
                status, body, _ = request(gw.port, "POST", "/admin/reload", headers=admin)
                keep("reload-refused", f"{status} {body}")
                self.assertNotEqual(status, 200, body)
                gw.proc.send_signal(signal.SIGHUP)
                time.sleep(1)
                code, out, err = run_cli("check-config", *cfg)
                self.assertEqual(code, 1)
                keep("check-config-refused", out + err)
                gw.config.write_text(good)
                status, body, _ = request(gw.port, "POST", "/admin/reload", headers=admin)
                keep("reload-ok", f"{status} {body}")
                self.assertEqual(status, 200, body)

                self.assertIsNone(gw.proc.poll(), gw.output()[-3000:])
                self.assertEqual(gw.terminate(), 0)
                up.stop()
                keep("gateway-log", gw.output())
                keep("upstream-stdout", Path(up.log.name).read_text())
                debug_lines = sum(1 for line in gw.output().splitlines() if " debug " in line)

                # The check, in the test and through the script (with the secrets from this config and the env).
                leaks = [(name, s[:2]) for name, text in outputs for s in SECRETS if s in text]
                print(f"\nsecret leak: {len(SECRETS)} secrets, {len(outputs)} outputs checked ({len(gw.output().splitlines())} gateway log lines, "
                      f"{debug_lines} at debug); leaks: {leaks or 'none'}")
                self.assertEqual(leaks, [], "a secret appears in " + ", ".join(sorted({n for n, _ in leaks})))
                script = [sys.executable, str(ROOT / "scripts" / "check_secrets.py"), "--no-default-configs", "--config", str(gw.config)]
                p = subprocess.run(script + [str(out_dir)], capture_output=True, text=True, env=dict(os.environ, GANGWAY_SECRETS_LEDGER=""))
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                found = check_secrets_module().collect_secrets([gw.config])
                self.assertLessEqual({TG, TG_ENV, WA_OLD, WA, WA_VERIFY, TW, ADMIN, API, CHANNEL_API}, found, "check_secrets.py misses a secret of the config")

                # A planted secret: exit 1, the file and line named, only a hint printed.
                planted = out_dir / "planted.txt"  # not *.log: GANGWAY_E2E_LOG_DIR keeps *.log files for the run-wide check
                planted.write_text(f"line one\nsomething logged Bearer {ADMIN} here\n")
                p = subprocess.run(script + [str(planted)], capture_output=True, text=True, env=dict(os.environ, GANGWAY_SECRETS_LEDGER=""))
                self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
                self.assertIn(f"{planted}:2:", p.stdout)
                self.assertNotIn(ADMIN, p.stdout + p.stderr)
            finally:
                gw.stop()
                up.stop()
                if env_before is None:
                    os.environ.pop("E2E_LEAK_TG_ENV", None)
                else:
                    os.environ["E2E_LEAK_TG_ENV"] = env_before


if __name__ == "__main__":
    unittest.main()
