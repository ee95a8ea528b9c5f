"""`gangway simulate` sends every sample of every provider (config/demo-all.yaml), correctly signed,
and the gateway accepts each one (a 2xx); voice channels play a whole call."""
import json
import signal
import subprocess
import time
import unittest
from pathlib import Path

from harness import BIN, ROOT, TempDir, check_envelopes, learn_envelope_schema, request, run_cli, wait_until



def voice_providers():
    """The providers whose demo channel answers in the webhook response (delivery `direct`), as
    `gangway check-config` reports them: a new voice provider needs no line here."""
    code, out, err = run_cli("check-config", "--config", str(ROOT / "config" / "demo-all.yaml"))
    assert code == 0, err
    rows = [line.strip().split("\t") for line in out.splitlines() if line.startswith("  ") and "\t" in line]
    return {row[1] for row in rows if len(row) > 2 and row[2] == "direct"}


VOICE = voice_providers()
NOT_SIMULATED = {"botframework"}  # Microsoft signs with its own private keys


class SimulateEveryProviderTest(unittest.TestCase):
    def test_every_sample_of_every_provider(self):
        with TempDir() as tmp:
            port = 18081
            cfg = Path(tmp) / "demo-all.yaml"
            cfg.write_text((ROOT / "config" / "demo-all.yaml").read_text().replace("port: 8080", f"port: {port}")
                           .replace("data/demo-all.sqlite", f"{tmp}/all.sqlite"))
            out = open(Path(tmp) / "serve.out", "w")
            proc = subprocess.Popen([BIN, "serve", "--demo", "--config", str(cfg)], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
            try:
                wait_until(lambda: request(port, "GET", "/readyz")[0] == 200, what="demo-all ready")
                sent = 0
                for channel_file in sorted((ROOT / "config" / "channels").glob("*.yaml")):
                    provider = channel_file.stem
                    if provider in NOT_SIMULATED:
                        continue
                    channel = "demo_" + provider.replace("-", "_")
                    if provider in VOICE:
                        code, stdout, stderr = run_cli("simulate", "--config", str(cfg), "--channel", channel)
                        self.assertEqual(code, 0, f"{provider}: {stdout}{stderr}")
                        sent += stdout.count("gateway answered 2")
                        continue
                    code, names, _ = run_cli("simulate", "--config", str(cfg), "--channel", channel, "--list")
                    self.assertEqual(code, 0)
                    for name in names.split():
                        code, stdout, stderr = run_cli("simulate", "--config", str(cfg), "--channel", channel, "--sample", name)
                        self.assertEqual(code, 0, f"{provider}/{name}: {stdout}{stderr}")
                        self.assertRegex(stdout, r"gateway answered 2\d\d")
                        sent += 1
                self.assertGreater(sent, 80)
                print(f"\nsimulate: {sent} signed samples accepted across {len(list((ROOT / 'config' / 'channels').glob('*.yaml'))) - 1} providers")
                # Every body the demo's stand-in received matches the envelope's JSON Schema.
                learn_envelope_schema(port, "demo-admin-token")
                wait_until(lambda: len(json.loads(request(8090, "GET", "/_calls")[1])["items"]) > 0, what="calls at the stand-in")
                time.sleep(1)  # the last queued calls
                items = json.loads(request(8090, "GET", "/_calls")[1])["items"]
                check_envelopes(items)
                providers = {item["body"]["provider"]["name"] for item in items if item.get("body")}
                print(f"envelope schema: {len(items)} forwarded bodies of {len(providers)} providers match")
                self.assertGreaterEqual(len(providers), 20)
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(30), 0)
                out.close()


if __name__ == "__main__":
    unittest.main()
