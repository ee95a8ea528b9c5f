"""Providers' own SDKs sign (or check) requests at test time, and the real gateway accepts them:
Slack's SignatureVerifier, Standard Webhooks' Webhook.sign, Plivo's get_signature_v3, LINE's parser,
Sinch's signature functions, viberbot, Telnyx's verify_webhook_signature (PyNaCl signs, as Telnyx
documents), vonage_jwt.verify_signature (PyJWT signs) and discord-interactions' verify_key. Twilio's
RequestValidator is in test_twilio_sdk.py. Bot Framework, Bird and WeChat are covered by vectors
their SDKs produced (Tests/e2e/sdk_vectors_*.py) inside the adapters' unit tests."""
import base64
import hashlib
import hmac
import json
import signal
import subprocess
import time
import unittest
import urllib.parse
import uuid
from datetime import datetime, timezone
from pathlib import Path

import yaml

from harness import BIN, ROOT, TempDir, request, wait_until

PORT = 18082


class ProviderSDKTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        d = cls.tmp.__enter__()
        text = (ROOT / "config" / "demo-all.yaml").read_text().replace("port: 8080", f"port: {PORT}").replace("data/demo-all.sqlite", f"{d}/sdk.sqlite")
        cls.config = yaml.safe_load(text)
        cfg = Path(d) / "demo-all.yaml"
        cfg.write_text(text)
        cls.out = open(Path(d) / "serve.out", "w")
        cls.proc = subprocess.Popen([BIN, "serve", "--demo", "--config", str(cfg)], stdout=cls.out, stderr=subprocess.STDOUT, cwd=ROOT)
        wait_until(lambda: request(PORT, "GET", "/readyz")[0] == 200, what="gateway")

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        cls.proc.wait(30)
        cls.out.close()
        cls.tmp.__exit__(None, None, None)

    def secret(self, provider, key):
        ch = next(c for c in self.config["channels"] if c["provider"] == provider)
        return ch["secrets"][key]

    def delivered(self, key):
        def check():
            return key in Path(self.out.name).read_text()
        wait_until(check, timeout=15, what=f"the stand-in printing {key}")

    def sample(self, provider, name):
        return (ROOT / "adapters" / provider / "samples" / name).read_bytes()

    def test_slack_signature_verifier(self):
        from slack_sdk.signature import SignatureVerifier
        body = self.sample("slack", "text.json").decode()
        ts = str(int(time.time()))
        verifier = SignatureVerifier(self.secret("slack", "signingSecret"))
        sig = verifier.generate_signature(timestamp=ts, body=body)
        status, text, _ = request(PORT, "POST", "/webhooks/demo_slack", body.encode(),
                                  {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_slack:" + json.loads(body)["event_id"])
        stale = str(int(time.time()) - 600)
        status, _, _ = request(PORT, "POST", "/webhooks/demo_slack", body.encode(), {
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stale,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stale, body=body)})
        self.assertEqual(status, 401)

    def test_standard_webhooks_sign(self):
        from standardwebhooks.webhooks import Webhook
        body = self.sample("webhook", "text.json").decode()
        msg_id = "msg_" + uuid.uuid4().hex
        now = datetime.now(tz=timezone.utc)
        sig = Webhook(self.secret("webhook", "secret")).sign(msg_id, now, body)
        status, text, _ = request(PORT, "POST", "/webhooks/demo_webhook", body.encode(), {
            "Content-Type": "application/json", "webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": sig})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_webhook:" + msg_id)

    def test_plivo_signature_v3(self):
        from plivo.utils.signature_v3 import construct_post_url, get_signature_v3
        body = self.sample("plivo", "text.form").decode().rstrip("\n")
        params = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        url = f"http://127.0.0.1:{PORT}/webhooks/demo_plivo"
        nonce = str(uuid.uuid4().int)[:20]
        sig = get_signature_v3(self.secret("plivo", "authToken").encode(), construct_post_url(url, dict(params)).decode(), nonce.encode()).decode()
        status, text, _ = request(PORT, "POST", "/webhooks/demo_plivo", body.encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "X-Plivo-Signature-V3": sig, "X-Plivo-Signature-V3-Nonce": nonce})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_plivo:" + params["MessageUUID"])

    def test_line_sdk_accepts_what_is_sent(self):
        from linebot.v3 import WebhookParser
        secret = self.secret("line", "channelSecret")
        body = self.sample("line", "text.json").decode()
        sig = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).decode()
        events = WebhookParser(secret).parse(body, sig)  # LINE's SDK validates the signature (raises otherwise)
        self.assertTrue(events)
        status, text, _ = request(PORT, "POST", "/webhooks/demo_line", body.encode(), {"Content-Type": "application/json", "X-Line-Signature": sig})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_line:" + json.loads(body)["events"][0]["webhookEventId"])


    def test_sinch_sdk_signature(self):
        from sinch.domains.authentication.sinch_events.v1.authentication_validation import (
            calculate_sinch_event_signature, compute_signed_data)
        body = self.sample("sinch", "text.json").decode()
        nonce, ts = uuid.uuid4().hex, str(int(time.time()))
        sig = calculate_sinch_event_signature(compute_signed_data(body, nonce, ts), self.secret("sinch", "webhookSecret"))
        status, text, _ = request(PORT, "POST", "/webhooks/demo_sinch", body.encode(), {
            "Content-Type": "application/json", "X-Sinch-Webhook-Signature": sig, "X-Sinch-Webhook-Signature-Nonce": nonce,
            "X-Sinch-Webhook-Signature-Timestamp": ts, "X-Sinch-Webhook-Signature-Algorithm": "HmacSHA256"})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_sinch:")

    def test_viber_sdk_signature(self):
        from viberbot import Api
        from viberbot.api.bot_configuration import BotConfiguration
        api = Api(BotConfiguration(name="Gangway", avatar="https://example.com/a.jpg", auth_token=self.secret("viber", "authToken")))
        body = self.sample("viber", "text.json")
        sig = api._calculate_message_signature(body)
        status, text, _ = request(PORT, "POST", "/webhooks/demo_viber", body, {"Content-Type": "application/json", "X-Viber-Content-Signature": sig})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_viber:")

    def test_telnyx_signed_with_nacl_and_checked_by_telnyx_sdk(self):
        from nacl.signing import SigningKey
        from telnyx.lib.webhook_verification import verify_webhook_signature
        key = SigningKey(bytes(range(32)))  # the demo key the demo channel's publicKey belongs to
        body = self.sample("telnyx", "text.json").decode()
        ts = str(int(time.time()))
        sig = base64.b64encode(key.sign(f"{ts}|{body}".encode()).signature).decode()
        headers = {"telnyx-signature-ed25519": sig, "telnyx-timestamp": ts}
        verify_webhook_signature(body.encode(), headers, self.secret("telnyx", "publicKey"))  # Telnyx's SDK: raises unless valid
        status, text, _ = request(PORT, "POST", "/webhooks/demo_telnyx", body.encode(), dict(headers, **{"Content-Type": "application/json"}))
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_telnyx:")


    def test_vonage_token_checked_by_vonage_jwt(self):
        import jwt
        from vonage_jwt import verify_signature
        secret = self.secret("vonage", "signatureSecret")
        body = self.sample("vonage", "text.json")
        claims = {"iat": int(time.time()), "jti": str(uuid.uuid4()), "iss": "Vonage", "payload_hash": hashlib.sha256(body).hexdigest(),
                  "api_key": "demo", "application_id": str(uuid.uuid4())}
        token = jwt.encode(claims, secret, algorithm="HS256")
        self.assertTrue(verify_signature(token, secret))  # Vonage's own verifier
        status, text, _ = request(PORT, "POST", "/webhooks/demo_vonage", body, {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_vonage:")

    def test_discord_signed_with_nacl_and_checked_by_discord_interactions(self):
        from discord_interactions import verify_key
        from nacl.signing import SigningKey
        key = SigningKey(bytes(range(32)))
        body = self.sample("discord", "text.json")
        ts = str(int(time.time()))
        sig = key.sign(ts.encode() + body).signature.hex()
        self.assertTrue(verify_key(body, sig, ts, self.secret("discord", "publicKey")))
        status, text, _ = request(PORT, "POST", "/webhooks/demo_discord", body, {
            "Content-Type": "application/json", "X-Signature-Ed25519": sig, "X-Signature-Timestamp": ts})
        self.assertEqual(status, 200, text)
        self.delivered("key=demo_discord:")


if __name__ == "__main__":
    unittest.main()
