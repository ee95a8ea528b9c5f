"""`gangway doctor` from outside: a real nginx terminating TLS (a certificate from a CA made here) in front of
the real gateway, and the doctor run against the public https URL as an operator would, with the same config.
Everything on 127.0.0.1, every wait bounded."""
import os
import re
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness, also when run as a file path

from harness import (Gateway, TempDir, Upstream, free_port, record_secrets_of_config, request, run_cli, secret_values_of_config,
                     telegram_channel, wait_until)
from test_deploy import NGINX, nginx_config

TWILIO_TOKEN = "e2e-doctor-twilio-token"
CHANNELS = "\n".join([
    "      - { id: sms, name: SMS, provider: twilio, chatbotId: bot_sms, secrets: { authToken: %s } }" % TWILIO_TOKEN,
    telegram_channel("tg", secret="e2e-doctor-telegram-secret"),
])
TIMEOUT = "5"


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_ca(tmp):
    """A throwaway CA: ca.pem (to trust) and ca.key (to sign with)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Gangway doctor test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", f"{tmp}/ca.key", "-out", f"{tmp}/ca.pem")


def make_server_cert(tmp, folder, days):
    """cert.pem and key.pem in `folder` for 127.0.0.1 (an IP name, as the doctor connects to the IP), signed by the CA."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                                    "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f"{folder}/key.pem", "-out", f"{folder}/req.csr")
    openssl("x509", "-req", "-in", f"{folder}/req.csr", "-CA", f"{tmp}/ca.pem", "-CAkey", f"{tmp}/ca.key", "-CAcreateserial",
            "-days", str(days), "-extfile", f"{folder}/ext.cnf", "-out", f"{folder}/cert.pem")


class Nginx:
    """deploy/nginx/gangway.conf on loopback (test_deploy's adaptation) with the cert.pem/key.pem of `folder`."""

    def __init__(self, folder, gateway_port):
        self.port = free_port()
        conf = Path(folder) / "nginx.conf"
        conf.write_text(nginx_config(folder, gateway_port, self.port))
        check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True, timeout=30)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        wait_until(self._listens, what="nginx listening")

    def _listens(self):
        import socket
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def doctor(config, url, *args):
    """Runs `gangway doctor`; returns (exit code, stdout + stderr)."""
    code, out, err = run_cli("doctor", "--config", str(config), "--url", url, "--timeout", TIMEOUT, *args, timeout=120)
    return code, out + err


def line(output, verdict, check, channel=None):
    """The doctor's line of a check, asserting its verdict."""
    subject = f" [{channel}]" if channel else ""
    for text in output.splitlines():
        if re.match(rf"^(PASS|FAIL|WARN|SKIP)  {re.escape(check)}{re.escape(subject)}: ", text):
            assert text.startswith(verdict + "  "), f"expected {verdict} for {check}{subject}, got:\n{text}\n\nwhole output:\n{output}"
            return text
    raise AssertionError(f"no line for {check}{subject} in:\n{output}")


class DoctorTestCase(unittest.TestCase):
    def assertNoSecret(self, output, *configs):
        for cfg in configs:
            for secret in secret_values_of_config(Path(cfg).read_text()):
                self.assertNotIn(secret, output, f"a secret of {cfg} is in doctor's output")


@unittest.skipUnless(Path(NGINX).exists(), "nginx is not installed (scripts/test.sh installs it)")
class DoctorThroughNginxTest(DoctorTestCase):
    def test_trusted_proxy_with_the_ca_passes_everything_and_failures_are_named(self):
        with TempDir() as tmp:
            make_ca(tmp)
            make_server_cert(tmp, tmp, days=30)
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, CHANNELS, trusted=("127.0.0.1/32",)).start()
            proxy = Nginx(tmp, gw.port)
            try:
                # Everything, with the test CA trusted and the admin API at the gateway's own address (nginx keeps /admin private).
                code, out = doctor(gw.config, proxy.url, "--ca-file", f"{tmp}/ca.pem", "--send-sample", "--admin", f"http://127.0.0.1:{gw.port}")
                self.assertEqual(code, 0, out)
                self.assertIn("verifies with the system's trust roots and", line(out, "PASS", "tls"))
                line(out, "PASS", "public-url")
                for ch in ("sms", "tg"):
                    self.assertIn("refused as it should be", line(out, "PASS", "reachable", ch))
                    self.assertIn("outcome accepted", line(out, "PASS", "end-to-end", ch))
                self.assertIn(f"signature over {proxy.url}/webhooks/sms verified", line(out, "PASS", "forwarded-headers", "sms"))
                line(out, "SKIP", "forwarded-headers", "tg")
                self.assertIn("0 failed", out.splitlines()[-1])
                # The stand-in chatbot API received both samples (through nginx, the gateway and its queue).
                wait_until(lambda: {c["body"]["channelId"] for c in up.calls()} >= {"sms", "tg"}, timeout=20, what="both samples delivered")
                self.assertNoSecret(out, gw.config)
                print("\n--- doctor, everything passes ---\n" + out, file=sys.stderr)

                # Without --send-sample and without --admin: the samples' checks are skipped with the reason.
                code, out = doctor(gw.config, proxy.url, "--ca-file", f"{tmp}/ca.pem")
                self.assertEqual(code, 0, out)
                self.assertIn("needs --send-sample", line(out, "SKIP", "end-to-end", "tg"))
                self.assertIn("needs --send-sample", line(out, "SKIP", "forwarded-headers", "sms"))

                # With --send-sample but the admin API asked through nginx: acknowledged, not confirmed, and why.
                code, out = doctor(gw.config, proxy.url, "--ca-file", f"{tmp}/ca.pem", "--send-sample", "--channel", "tg")
                self.assertEqual(code, 0, out)
                self.assertIn("pass --admin", line(out, "PASS", "end-to-end", "tg"))
                self.assertNotIn("sms", out)
                self.assertNoSecret(out, gw.config)

                # The same without --ca-file: the certificate is untrusted; nothing else is tried.
                code, out = doctor(gw.config, proxy.url, "--send-sample")
                self.assertEqual(code, 1, out)
                self.assertIn("untrusted", line(out, "FAIL", "tls"))
                self.assertIn("--ca-file", line(out, "FAIL", "tls"))
                line(out, "SKIP", "end-to-end", "sms")
                print("\n--- doctor, without --ca-file ---\n" + out, file=sys.stderr)

                # A config whose channel the running gateway does not have: 404 "unknown channel" is a FAIL.
                stale = Path(tmp) / "stale.yaml"
                stale.write_text(gw.config.read_text().replace("id: tg,", "id: tg_old,"))
                record_secrets_of_config(stale.read_text())
                code, out = doctor(stale, proxy.url, "--ca-file", f"{tmp}/ca.pem", "--send-sample", "--admin", f"http://127.0.0.1:{gw.port}")
                self.assertEqual(code, 1, out)
                self.assertIn("has no such channel", line(out, "FAIL", "reachable", "tg_old"))
                line(out, "PASS", "end-to-end", "sms")  # a duplicate by now, still acknowledged
                self.assertNoSecret(out, stale)
                print("\n--- doctor, a channel the gateway does not have ---\n" + out, file=sys.stderr)

                # A certificate that ends within 14 days: a warning, not a failure.
                short = Path(tmp) / "short"
                make_server_cert(tmp, short, days=5)
                soon = Nginx(short, gw.port)
                try:
                    code, out = doctor(gw.config, soon.url, "--ca-file", f"{tmp}/ca.pem", "--channel", "tg")
                    self.assertEqual(code, 0, out)
                    self.assertIn("ends within 14 days", line(out, "WARN", "tls"))
                finally:
                    soon.stop()
            finally:
                proxy.stop()
                gw.stop()
                up.stop()

    def test_proxy_not_in_trusted_proxies_explains_the_refused_twilio_sample(self):
        with TempDir() as tmp:
            make_ca(tmp)
            make_server_cert(tmp, tmp, days=30)
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, CHANNELS, trusted=("::1/128",)).start()  # not nginx's 127.0.0.1, no publicURL
            proxy = Nginx(tmp, gw.port)
            try:
                code, out = doctor(gw.config, proxy.url, "--ca-file", f"{tmp}/ca.pem", "--send-sample", "--admin", f"http://127.0.0.1:{gw.port}")
                self.assertEqual(code, 1, out)
                forwarded = line(out, "FAIL", "forwarded-headers", "sms")
                for words in ("X-Forwarded-Proto/Host/Port are not believed", "server.trustedProxies (now: ::1/128)",
                              f"server.publicURL: {proxy.url}"):
                    self.assertIn(words, forwarded)
                self.assertIn("see forwarded-headers", line(out, "FAIL", "end-to-end", "sms"))
                line(out, "PASS", "end-to-end", "tg")  # telegram's token does not cover the URL
                self.assertNoSecret(out, gw.config)
                print("\n--- doctor, the proxy is not trusted ---\n" + out, file=sys.stderr)
                # A publicURL that differs from --url is named before anything is sent.
                other = Path(tmp) / "other.yaml"
                other.write_text(gw.config.read_text().replace("server:\n", "server:\n  publicURL: https://hooks.example.com\n", 1))
                record_secrets_of_config(other.read_text())
                code, out = doctor(other, proxy.url, "--ca-file", f"{tmp}/ca.pem", "--channel", "sms")
                self.assertIn("server.publicURL is https://hooks.example.com but --url is", line(out, "WARN", "public-url"))
            finally:
                proxy.stop()
                gw.stop()
                up.stop()


class DoctorWithoutProxyTest(DoctorTestCase):
    def test_an_unreachable_url_fails_naming_connection_refused(self):
        with TempDir() as tmp:
            gw = Gateway(tmp, "http://127.0.0.1:1", CHANNELS)  # written, never started
            code, out = doctor(gw.config, f"http://127.0.0.1:{free_port()}", "--send-sample")
            self.assertEqual(code, 1, out)
            self.assertIn("providers require https", line(out, "WARN", "tls"))
            self.assertIn("connection refused", line(out, "FAIL", "reachable", "sms"))
            self.assertIn("connection refused", line(out, "FAIL", "reachable", "tg"))
            line(out, "SKIP", "end-to-end", "sms")
            self.assertNoSecret(out, gw.config)
            print("\n--- doctor, nothing listens ---\n" + out, file=sys.stderr)

    def test_usage_errors(self):
        with TempDir() as tmp:
            gw = Gateway(tmp, "http://127.0.0.1:1", CHANNELS)
            # As ArgumentParser reports them: "Error: ..." and the usage on stderr, a non-zero exit, no check run.
            for args, words in ((("hooks.example.com",), "--url hooks.example.com: not an http(s) URL"),
                                (("https://127.0.0.1:1", "--channel", "nope"), "no channel nope"),
                                (("https://127.0.0.1:1", "--ca-file", str(gw.config)), "not a readable PEM certificate"),
                                (("https://127.0.0.1:1", "--timeout", "0"), "--timeout must be 1 to 300 seconds")):
                code, out, err = run_cli("doctor", "--config", str(gw.config), "--url", *args, timeout=60)
                self.assertNotEqual(code, 0, out + err)
                self.assertIn(words, err)
                self.assertIn("Usage: gangway", err)
                self.assertEqual(out, "")


if __name__ == "__main__":
    unittest.main()
