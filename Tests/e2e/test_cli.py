"""The command line, run as a user would: check-config, simulate, deliveries, serve --demo."""
import os
import shutil
import signal
import subprocess
import time
import unittest
from pathlib import Path

from harness import BIN, ROOT, Gateway, TempDir, Upstream, request, run_cli, wait_until

SECRET = "e2e-telegram-secret"
CHANNEL = "      - { id: tg, name: TG, provider: telegram, chatbotId: bot_tg, secrets: { secretToken: %s } }" % SECRET


class CheckConfigTest(unittest.TestCase):
    def test_shipped_config_is_valid(self):
        code, out, err = run_cli("check-config")
        self.assertEqual(code, 0, err)
        for line in ("demo_whatsapp\twhatsapp\tqueued\tenforce\t/webhooks/demo_whatsapp", "demo_telegram\ttelegram", "demo_twilio\ttwilio"):
            self.assertIn(line, out)
        self.assertNotIn("demo-whatsapp-app-secret", out + err)

    def test_every_fault_is_reported_with_its_place_and_exit_1(self):
        with TempDir() as tmp:
            cfg = Path(tmp) / "bad.yaml"
            cfg.write_text(
                "server: { port: 99999, colour: blue }\n"
                "upstream: { baseURL: http://127.0.0.1:1, apiKey: super-secret-api-key }\n"
                "channels:\n"
                "  - { id: a, name: A, provider: whatsapp, chatbotId: b, secrets: { appSecret: super-secret-app } }\n"
                "  - { id: a, name: B, provider: telegram, chatbotId: b, secrets: { secretToken: '${NOT_SET_ANYWHERE}' } }\n"
                "  - { id: c, name: C, provider: carrier-pigeon, chatbotId: b }\n")
            env = dict(os.environ)
            env.pop("NOT_SET_ANYWHERE", None)
            code, out, err = run_cli("check-config", "--config", str(cfg), env=env)
            self.assertEqual(code, 1)
            for expected in ("server.port:", "server.colour: unknown key", "channels[0].secrets.verifyToken: missing",
                             "channels[1].secrets.secretToken: environment variable NOT_SET_ANYWHERE is not set",
                             "channels[1].id: duplicate channel id", "channels[2].provider: unknown provider"):
                self.assertIn(expected, err)
            self.assertNotIn("super-secret", out + err)

    def test_missing_file_and_env_default(self):
        code, _, err = run_cli("check-config", "--config", "/nonexistent/gangway.yaml")
        self.assertEqual(code, 1)
        self.assertIn("cannot read the file", err)
        env = dict(os.environ, GANGWAY_CONFIG=str(ROOT / "config" / "gangway.yaml"))
        self.assertEqual(run_cli("check-config", env=env)[0], 0)


class DeliveriesCLITest(unittest.TestCase):
    def test_list_show_replay_purge(self):
        with TempDir() as tmp:
            up = Upstream(tmp, "--fail-first", "1000", "--fail-status", "422")
            gw = Gateway(tmp, up.url, CHANNEL).start()
            try:
                code, out, err = run_cli("simulate", "--config", str(gw.config), "--channel", "tg")
                self.assertEqual(code, 0, err)
                self.assertIn("gateway answered 200", out)
                code, out, err = run_cli("simulate", "--config", str(gw.config), "--channel", "tg", "--sample", "callback-query")
                self.assertEqual(code, 0, err)
                cfg = ["--config", str(gw.config)]
                wait_until(lambda: run_cli("deliveries", "list", "--state", "dead", *cfg)[1].count("\tdead\t") == 2, what="two dead letters")
                code, out, _ = run_cli("deliveries", "list", "--state", "dead", "--channel", "tg", "--limit", "1", *cfg)
                lines = out.strip().splitlines()
                self.assertEqual(len(lines), 1)
                newest = lines[0].split("\t")[0]
                self.assertIn("tg:734892109", lines[0])  # newest first
                code, shown, _ = run_cli("deliveries", "show", newest, *cfg)
                self.assertEqual(code, 0)
                status, api, _ = gw.admin("GET", f"/deliveries/{newest}")
                self.assertEqual(status, 200)
                self.assertEqual(shown.strip(), api.strip())  # the CLI and the admin API show the same JSON
                self.assertEqual(run_cli("deliveries", "show", "424242", *cfg)[0], 1)

                up.stop()
                up2 = Upstream(tmp)  # a healthy API on a new port: reload the config to point at it
                text = gw.config.read_text().replace(up.url, up2.url)
                gw.config.write_text(text)
                gw.stop()
                gw.start()
                code, out, _ = run_cli("deliveries", "replay", newest, *cfg)
                self.assertEqual((code, out.strip()), (0, "replayed 1"))
                wait_until(lambda: any(c["idempotencyKey"] == "tg:734892109" for c in up2.calls()), what="replayed delivery")
                self.assertEqual(run_cli("deliveries", "replay", newest, *cfg)[0], 1)  # no longer dead
                code, out, _ = run_cli("deliveries", "purge", "--older-than-hours", "1", *cfg)
                self.assertEqual(out.strip(), "purged 0")
                code, out, _ = run_cli("deliveries", "purge", *cfg)
                self.assertEqual(out.strip(), "purged 1")
                code, out, _ = run_cli("deliveries", "list", *cfg)
                self.assertIn("\tdelivered\t", out)
                self.assertNotIn("\tdead\t", out)
                self.assertEqual(run_cli("deliveries", "list", "--state", "nope", *cfg)[0] != 0, True)
                up2.stop()
            finally:
                gw.stop()
                up.stop()


class DemoTest(unittest.TestCase):
    def test_serve_demo_shows_a_whatsapp_message_at_the_stand_in(self):
        """The README's first command: the shipped config, the stand-in API in the same process."""
        with TempDir() as tmp:
            cfg = Path(tmp) / "gangway.yaml"
            port = 18080
            text = (ROOT / "config" / "gangway.yaml").read_text().replace("port: 8080", f"port: {port}").replace("data/gangway.sqlite", f"{tmp}/demo.sqlite")
            cfg.write_text(text)
            out_path = Path(tmp) / "demo.out"
            with open(out_path, "w") as out:
                proc = subprocess.Popen([BIN, "serve", "--demo", "--config", str(cfg)], stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
            try:
                wait_until(lambda: request(port, "GET", "/readyz")[0] == 200, what="demo ready")
                code, sim, err = run_cli("simulate", "--config", str(cfg), "--channel", "demo_whatsapp")
                self.assertEqual(code, 0, err)
                wait_until(lambda: "[chatbot-api] 200 handle channel=demo_whatsapp providerId=49123456789 type=text" in out_path.read_text(),
                           what="the stand-in printing the call")
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(30), 0)


class UsageErrorTest(unittest.TestCase):
    """DESIGN.md, section 5: a usage error exits 1, like a config error, with ArgumentParser's message and usage."""

    def test_usage_errors_exit_1(self):
        for args, message in [(("deliveries", "list", "--state", "nope"), "state"), (("serve", "--log-format", "xml"), "unknown log format xml"),
                              (("no-such-command",), "no-such-command"), (("simulate",), "--channel")]:
            code, out, err = run_cli(*args)
            self.assertEqual(code, 1, (args, out, err))
            self.assertIn(message, err, args)
            self.assertIn("Usage:", err, args)
        self.assertEqual(run_cli("--help")[0], 0)


if __name__ == "__main__":
    unittest.main()
