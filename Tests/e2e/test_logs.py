"""`serve --log-format json` and `log: { format, level }`: one JSON object per line (issue 15)."""
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Gateway, TempDir, Upstream, run_cli, telegram_channel, telegram_headers, telegram_update, wait_until  # noqa: E402


class JSONLogTest(unittest.TestCase):
    def test_every_line_is_a_json_object_with_the_metadata(self):
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel(), extra_args=("--log-format", "json", "--log-level", "debug")).start()
            try:
                _, body = telegram_update(5, 1)
                self.assertEqual(gw.post("/webhooks/tg", body, telegram_headers())[0], 200)
                self.assertEqual(gw.post("/webhooks/tg", body, telegram_headers("wrong-secret"))[0], 401)
                wait_until(lambda: len(up.calls()) == 1, what="delivery")
                wait_until(lambda: "verification failed" in gw.output(), what="the refusal logged")
            finally:
                gw.stop()
                up.stop()
            # stderr carries the log; the harness merges it with stdout, where `serve` prints its banner.
            lines = [line for line in gw.output().splitlines() if line.startswith("{")]
            self.assertGreater(len(lines), 3)
            events = [json.loads(line) for line in lines]  # every log line parses
            for e in events:
                for key in ("time", "level", "label", "message"):
                    self.assertIn(key, e)
                self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            refused = [e for e in events if "verification failed" in e["message"]]
            self.assertTrue(refused)
            self.assertEqual(refused[0]["gangway.channel.id"], "tg")
            self.assertEqual(refused[0]["level"], "warning")
            self.assertTrue(any(e["level"] == "debug" for e in events), "debug lines at --log-level debug")
            self.assertNotIn("wrong-secret", gw.output())

    def test_the_config_section_is_checked(self):
        with TempDir() as tmp:
            base = (ROOT / "config" / "gangway.yaml").read_text()
            good = Path(tmp) / "good.yaml"
            good.write_text(base + "\nlog: { format: json, level: debug }\n")
            self.assertEqual(run_cli("check-config", "--config", str(good))[0], 0)
            bad = Path(tmp) / "bad.yaml"
            bad.write_text(base + "\nlog: { format: xml, colour: red }\n")
            code, _, err = run_cli("check-config", "--config", str(bad))
            self.assertEqual(code, 1)
            self.assertIn("log.format: expected one of text, json", err)
            self.assertIn("log.colour: unknown key", err)


if __name__ == "__main__":
    unittest.main()
