"""Twilio requests signed by Twilio's own Python SDK (RequestValidator) verify through the gateway,
against the public URL, directly and through a trusted proxy, and the answer is the TwiML the SDK builds."""
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from harness import Gateway, TempDir, Upstream, wait_until

TOKEN = "e2e-twilio-auth-token"
CHANNEL = "      - { id: sms, name: SMS, provider: twilio, chatbotId: bot_sms, secrets: { authToken: %s } }" % TOKEN
PARAMS = {
    "MessageSid": "SM0123456789abcdef0123456789abcdef", "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+49123456789", "To": "+4930123456", "Body": "Grüße aus dem SDK-Test", "NumMedia": "0",
}


def form(params):
    return urllib.parse.urlencode(params).encode()


class TwilioSDKTest(unittest.TestCase):
    def test_sdk_signature_against_public_url(self):
        validator = RequestValidator(TOKEN)
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, CHANNEL, public_url="https://hooks.example.com").start()
            try:
                url = "https://hooks.example.com/webhooks/sms"
                sig = validator.compute_signature(url, PARAMS)
                self.assertTrue(validator.validate(url, PARAMS, sig))
                headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig}
                status, body, resp_headers = gw.post("/webhooks/sms", form(PARAMS), headers)
                self.assertEqual(status, 200, body)
                self.assertTrue({k.lower(): v for k, v in resp_headers.items()}.get("content-type", "").startswith("text/xml"))
                expected = ET.fromstring(str(MessagingResponse()))
                got = ET.fromstring(body)
                self.assertEqual((got.tag, list(got), got.text), (expected.tag, list(expected), expected.text))
                wait_until(lambda: len(up.calls()) == 1, what="delivery")
                call = up.calls()[0]
                self.assertEqual(call["idempotencyKey"], "sms:" + PARAMS["MessageSid"])
                self.assertEqual(call["body"]["providerId"], "+49123456789")
                self.assertEqual(call["body"]["message"]["text"], PARAMS["Body"])
                # Signed for another URL (as if publicURL were misconfigured): refused, nothing stored.
                bad = validator.compute_signature("https://other.example.com/webhooks/sms", PARAMS)
                status, _, _ = gw.post("/webhooks/sms", form(dict(PARAMS, MessageSid="SMother")), dict(headers, **{"X-Twilio-Signature": bad}))
                self.assertEqual(status, 401)
                self.assertIn("webhook refused: verification failed", gw.output())
                self.assertIn("https://hooks.example.com/webhooks/sms", gw.output())  # the diagnosis names the URL used
                self.assertNotIn(TOKEN, gw.output())
            finally:
                gw.stop()
                up.stop()

    def test_sdk_signature_through_trusted_proxy_with_port_and_query(self):
        validator = RequestValidator(TOKEN)
        url = "https://edge.example.com:8443/webhooks/sms?tenant=a%20b"
        sig = validator.compute_signature(url, PARAMS)
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "edge.example.com", "X-Forwarded-Port": "8443"}
        headers = dict({"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig}, **forwarded)
        with TempDir() as tmp:
            up = Upstream(tmp)
            trusted = Gateway(tmp, up.url, CHANNEL, trusted=("127.0.0.1/32",)).start()
            try:
                status, body, _ = trusted.post("/webhooks/sms?tenant=a%20b", form(PARAMS), headers)
                self.assertEqual(status, 200, body)
            finally:
                trusted.stop()
            # The same headers from a peer that is not a trusted proxy are not believed.
            untrusted = Gateway(tmp, up.url, CHANNEL, trusted=("10.0.0.0/8",), store=tmp + "/other.sqlite").start()
            try:
                status, _, _ = untrusted.post("/webhooks/sms?tenant=a%20b", form(dict(PARAMS, MessageSid="SMx")), headers)
                self.assertEqual(status, 401)
            finally:
                untrusted.stop()
                up.stop()


if __name__ == "__main__":
    unittest.main()


class TwilioVoiceSDKTest(unittest.TestCase):
    """A voice call signed by Twilio's SDK; the reply compared with the TwiML the SDK builds."""

    VOICE = ("      - { id: hotline, name: Hotline, provider: twilio-voice, chatbotId: bot_v, deadlineSeconds: 3,\n"
             "          fallback: { say: 'Bitte später noch einmal.', then: hangup }, secrets: { authToken: %s } }" % TOKEN)

    def test_call_start_and_turn_render_the_expected_twiml(self):
        from twilio.twiml.voice_response import VoiceResponse, Gather
        validator = RequestValidator(TOKEN)
        base = "https://hooks.example.com/webhooks/hotline"
        start = {"CallSid": "CA42", "From": "+49170111222", "To": "+4930123456", "CallStatus": "ringing", "Direction": "inbound"}
        turn = dict(start, CallStatus="in-progress", SpeechResult="Termin bitte", Confidence="0.91")

        def signed(url, params):
            return {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": validator.compute_signature(url, params)}

        def canonical(xml_text):
            root = ET.fromstring(xml_text)
            return [(e.tag, dict(e.attrib), (e.text or "").strip()) for e in root]

        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, self.VOICE, public_url="https://hooks.example.com").start()
            try:
                status, body, _ = gw.post("/webhooks/hotline", form(start), signed(base, start))
                self.assertEqual(status, 200, body)
                expected = VoiceResponse()
                expected.say("Hello, this is the Gangway demo bot. Say something.")
                expected.append(Gather(input="speech dtmf", action=base + "/gather", method="POST", action_on_empty_result=True,
                                       timeout=5, speech_timeout="auto"))
                got, want = canonical(body), canonical(str(expected))
                self.assertEqual(got[0], want[0])
                self.assertEqual(got[1][0], want[1][0])
                self.assertEqual({k: v.lower() for k, v in got[1][1].items()}, {k: v.lower() for k, v in want[1][1].items()})

                status, body, _ = gw.post("/webhooks/hotline/gather", form(turn), signed(base + "/gather", turn))
                self.assertEqual(status, 200, body)
                self.assertEqual(canonical(body)[0], ("Say", {}, "You said: Termin bitte"))
                calls = up.calls()
                self.assertEqual([c["body"].get("event") for c in calls], ["call_started", None])
                self.assertEqual(calls[1]["body"]["message"], {"id": calls[1]["body"]["message"]["id"], "type": "speech", "text": "Termin bitte", "confidence": 0.91})
                self.assertEqual(calls[0]["body"]["callee"], "+4930123456")
                self.assertIs(calls[0]["body"]["async"], False)
            finally:
                gw.stop()
                up.stop()
