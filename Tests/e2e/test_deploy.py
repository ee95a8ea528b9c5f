"""The deploy/ files, checked on this machine: a real nginx built from deploy/nginx/gangway.conf in
front of the real gateway (a Twilio request signed by Twilio's SDK for the public https URL verifies
through it), `nginx -t`, `systemd-analyze verify` on the unit, and the Kubernetes manifests parse."""
import re
import shutil
import ssl
import subprocess
import unittest
import urllib.parse
import http.client
from pathlib import Path

from twilio.request_validator import RequestValidator

from harness import BIN, ROOT, Gateway, TempDir, Upstream, free_port, wait_until

TOKEN = "e2e-nginx-twilio-token"
CHANNEL = "      - { id: sms, name: SMS, provider: twilio, chatbotId: bot_sms, secrets: { authToken: %s } }" % TOKEN
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(tmp, gateway_port, listen_port):
    """deploy/nginx/gangway.conf adapted to loopback: the same locations and headers."""
    shipped = (ROOT / "deploy" / "nginx" / "gangway.conf").read_text()
    conf = shipped.replace("server gangway:8080;", f"server 127.0.0.1:{gateway_port};")
    conf = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", conf, count=1, flags=re.S)  # drop the http→https redirect
    conf = conf.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{listen_port} ssl;")
    conf = conf.replace("/etc/nginx/tls/fullchain.pem", f"{tmp}/cert.pem").replace("/etc/nginx/tls/privkey.pem", f"{tmp}/key.pem")
    return (f"worker_processes 1;\nerror_log {tmp}/nginx-error.log;\npid {tmp}/nginx.pid;\nevents {{}}\n"
            f"http {{\n access_log off;\n client_body_temp_path {tmp}/body;\n proxy_temp_path {tmp}/proxy;\n"
            f" fastcgi_temp_path {tmp}/fcgi;\n uwsgi_temp_path {tmp}/uwsgi;\n scgi_temp_path {tmp}/scgi;\n{conf}\n}}\n")


@unittest.skipUnless(Path(NGINX).exists(), "nginx is not installed (scripts/test.sh installs it)")
class NginxInFrontTest(unittest.TestCase):
    def test_twilio_signed_for_the_public_https_url_verifies_through_nginx(self):
        with TempDir() as tmp:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hooks.example.com",
                            "-keyout", f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem"], check=True, capture_output=True)
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, CHANNEL, trusted=("127.0.0.1/32",)).start()
            port = free_port()
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(nginx_config(tmp, gw.port, port))
            check = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", tmp], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stderr)
            proxy = subprocess.Popen([NGINX, "-c", str(conf), "-p", tmp, "-g", "daemon off;"], stderr=subprocess.DEVNULL)
            try:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE

                def post(params, signature):
                    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
                    conn.request("POST", "/webhooks/sms", urllib.parse.urlencode(params).encode(), {
                        "Host": "hooks.example.com", "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
                    try:
                        r = conn.getresponse()
                        return r.status, r.read().decode()
                    finally:
                        conn.close()

                wait_until(lambda: post({}, "x")[0] in (400, 401), what="nginx up")
                params = {"MessageSid": "SMnginx1", "From": "+49123", "To": "+4930", "Body": "durch nginx"}
                # What Twilio signs: the public URL it called (here the proxy listens on a non-default port).
                public = f"https://hooks.example.com:{port}/webhooks/sms"
                status, body = post(params, RequestValidator(TOKEN).compute_signature(public, params))
                self.assertEqual(status, 200, body + gw.output()[-1500:])
                wait_until(lambda: len(up.calls()) == 1, what="delivery through nginx")
                # Signed for plain http (what the gateway would see without believing the proxy): refused.
                wrong = RequestValidator(TOKEN).compute_signature(f"http://127.0.0.1:{gw.port}/webhooks/sms", dict(params, MessageSid="SMnginx2"))
                self.assertEqual(post(dict(params, MessageSid="SMnginx2"), wrong)[0], 401)
            finally:
                proxy.terminate()
                proxy.wait(10)
                gw.stop()
                up.stop()


class DeployFilesTest(unittest.TestCase):
    def test_systemd_unit_verifies(self):
        analyze = shutil.which("systemd-analyze")
        if not analyze:
            self.skipTest("systemd-analyze is not installed")
        with TempDir() as tmp:
            unit = Path(tmp) / "gangway.service"
            unit.write_text((ROOT / "deploy/systemd/gangway.service").read_text().replace("/usr/local/bin/gangway", BIN))
            r = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("Unknown", r.stderr)

    def test_kubernetes_manifests_parse_and_probe_the_right_paths(self):
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed")
        docs = list(yaml.safe_load_all((ROOT / "deploy/kubernetes/gangway.yaml").read_text()))
        kinds = {d["kind"] for d in docs}
        self.assertEqual(kinds, {"ConfigMap", "Secret", "PersistentVolumeClaim", "Deployment", "PodDisruptionBudget", "Service", "Ingress"})
        deployment = next(d for d in docs if d["kind"] == "Deployment")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["readinessProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual(container["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertGreaterEqual(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"], 30)
        # The embedded config is valid for gangway itself.
        configmap = next(d for d in docs if d["kind"] == "ConfigMap")
        secret = next(d for d in docs if d["kind"] == "Secret")
        with TempDir() as tmp:
            cfg = Path(tmp) / "gangway.yaml"
            cfg.write_text(configmap["data"]["gangway.yaml"])
            import os
            r = subprocess.run([BIN, "check-config", "--config", str(cfg)], capture_output=True, text=True, env=dict(os.environ, **secret["stringData"]))
            self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
