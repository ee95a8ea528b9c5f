"""`gangway api ...` against the stand-in chatbot API, whose conversations come from the webhooks the
gateway forwarded, and `GET /admin/conversations`, which finds the same conversation (issue 15)."""
import json
import sys
import unittest
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (E2E_TELEGRAM_SECRET, Gateway, TempDir, Upstream, request, run_cli, telegram_headers,  # noqa: E402
                     telegram_update, wait_until)

CHANNEL_KEY = "e2e-channel-api-key-7f3a9c"
DEFAULT_KEY = "e2e-default-key"
CHANNEL = ("      - { id: tg, name: TG, provider: telegram, chatbotId: bot_tg, apiKey: %s, secrets: { secretToken: %s } }"
           % (CHANNEL_KEY, E2E_TELEGRAM_SECRET))
CHAT = 5550123


class ApiCLITest(unittest.TestCase):
    def setUp(self):
        self.outputs = []

    def api(self, *args):
        """Runs `gangway api ARGS --config <gateway's config>`; returns (exit code, stdout, stderr)."""
        code, out, err = run_cli("api", *args, "--config", str(self.gw.config))
        self.outputs.append(out + err)
        return code, out, err

    def api_json(self, *args):
        code, out, err = self.api(*args)
        self.assertEqual(code, 0, f"gangway api {' '.join(args)}: {err}")
        self.assertEqual(err, "")
        return json.loads(out)

    def steps(self):
        status, body, _ = request(self.up.port, "GET", "/_steps")
        self.assertEqual(status, 200)
        return json.loads(body)["items"]

    def test_conversation_commands_and_the_admin_lookup(self):
        with TempDir() as tmp:
            self.up = Upstream(tmp)
            self.gw = Gateway(tmp, self.up.url, CHANNEL, api_key=DEFAULT_KEY).start()
            try:
                self.run_commands()
            finally:
                self.gw.stop()
                self.up.stop()
        for output in self.outputs:
            self.assertNotIn(CHANNEL_KEY, output)
            self.assertNotIn(DEFAULT_KEY, output)

    def run_commands(self):
        for n in (1, 2):
            _, body = telegram_update(CHAT, n)
            status, text, _ = self.gw.post("/webhooks/tg", body, telegram_headers())
            self.assertEqual(status, 200, text)
        wait_until(lambda: len([c for c in self.up.calls() if c["status"] == 200]) == 2, what="two calls delivered")
        self.assertEqual({c["apiKey"] for c in self.up.calls()}, {CHANNEL_KEY})

        # find, get: the conversation the two messages made.
        found = self.api_json("conversations", "find", "--channel", "tg", "--provider-id", str(CHAT))
        conversation = found["id"]
        self.assertRegex(conversation, r"^conv_[0-9a-f]{12}$")
        self.assertEqual((found["chatbotId"], found["channelId"], found["providerId"], found["messages"]), ("bot_tg", "tg", str(CHAT), 2))
        self.assertEqual(self.api_json("conversations", "get", "--channel", "tg", conversation), found)

        # The admin API finds the same one through the chatbot API, with the channel's key.
        status, body, _ = self.gw.admin("GET", "/conversations?" + urlencode({"channel": "tg", "providerId": str(CHAT)}))
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["conversation"]["id"], conversation)
        self.assertEqual(json.loads(body)["chatbotId"], "bot_tg")
        self.assertNotIn(CHANNEL_KEY, body)
        status, body, _ = self.gw.admin("GET", "/conversations?channel=tg")
        self.assertEqual((status, "error" in json.loads(body)), (400, True))
        status, body, _ = self.gw.admin("GET", "/conversations?providerId=1")
        self.assertEqual(status, 400)
        status, body, _ = self.gw.admin("GET", "/conversations?channel=nosuch&providerId=1")
        self.assertEqual((status, json.loads(body)["error"]), (404, "no such channel"))
        status, body, _ = self.gw.admin("GET", "/conversations?channel=tg&providerId=999")
        self.assertEqual((status, json.loads(body)["upstreamStatus"]), (404, 404))

        # patch merges fields; list filters by channel.
        patched = self.api_json("conversations", "patch", "--channel", "tg", conversation, "--field", "topic=billing", "--field", "note=a=b")
        self.assertEqual((patched["topic"], patched["note"], patched["messages"]), ("billing", "a=b", 2))
        listed = self.api_json("conversations", "list", "--channel", "tg", "--channel-id", "tg")
        self.assertEqual([c["id"] for c in listed["items"]], [conversation])
        self.assertEqual(self.api_json("conversations", "list", "--channel", "tg", "--channel-id", "other")["items"], [])
        created = self.api_json("conversations", "create", "--channel", "tg", "--field", "contactId=contact_9", "--field", "topic=new")
        self.assertEqual((created["contactId"], created["topic"]), ("contact_9", "new"))
        listed = self.api_json("conversations", "list", "--channel", "tg", "--contact-id", "contact_9")
        self.assertEqual([c["id"] for c in listed["items"]], [created["id"]])

        # payload and custom-event, with the channel's key and, with --chatbot-id, upstream.apiKey.
        answer = self.api_json("payload", "--channel", "tg", "--conversation-id", conversation, "--flow-id", "flow_1", "--step-id", "step_1",
                               "--event", "go", "--event-payload", '{"orderId": "12345"}', "--async", "--debug")
        self.assertEqual(answer["conversationId"], conversation)
        self.api_json("custom-event", "--channel", "tg", "--conversation-id", conversation, "--event", "order_completed")
        self.api_json("custom-event", "--chatbot-id", "bot_tg", "--conversation-id", conversation, "--event", "order_shipped")
        steps = self.steps()
        self.assertEqual([(s["path"].rsplit("/", 1)[1], s["status"], s["apiKey"]) for s in steps],
                         [("payload", 200, CHANNEL_KEY), ("custom-event", 200, CHANNEL_KEY), ("custom-event", 200, DEFAULT_KEY)])
        self.assertEqual(steps[0]["body"], {"chatbotId": "bot_tg", "conversationId": conversation, "flowId": "flow_1", "stepId": "step_1",
                                            "event": "go", "eventPayload": '{"orderId": "12345"}', "async": True, "isDebug": True})
        self.assertEqual(steps[1]["body"], {"chatbotId": "bot_tg", "conversationId": conversation, "event": "order_completed"})
        self.assertEqual(self.api_json("conversations", "get", "--channel", "tg", conversation)["events"], 2)

        # Refusals: the API's (exit 1, one line naming status and error), usage errors (1, as DESIGN.md section 5 says).
        code, out, err = self.api("payload", "--channel", "tg", "--conversation-id", "conv_000000000000")
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(err.strip(), "gangway api: the chatbot API answered 404: no conversation conv_000000000000")
        code, _, err = self.api("payload", "--channel", "tg", "--conversation-id", conversation, "--event-payload", "{not json")
        self.assertEqual(code, 1)
        self.assertIn("--event-payload must be valid JSON", err)
        self.assertEqual(len(self.steps()), 4)  # the invalid payload was never sent
        self.assertEqual(self.api("conversations", "list")[0], 1)  # neither --channel nor --chatbot-id
        self.assertEqual(self.api("conversations", "find", "--chatbot-id", "bot_tg", "--provider-id", "1")[0], 1)
        self.assertEqual(self.api("conversations", "patch", "--channel", "tg", conversation)[0], 1)
        code, _, err = self.api("conversations", "list", "--channel", "nosuch")
        self.assertEqual(code, 1)
        self.assertIn("no channel nosuch", err)
        code, _, err = self.api("conversations", "list", "--channel", "tg", "--base-url", "http://127.0.0.1:9")
        self.assertEqual(code, 1)
        self.assertIn("cannot reach the chatbot API at http://127.0.0.1:9", err)

        # delete, then get is the API's 404.
        self.assertEqual(self.api_json("conversations", "delete", "--channel", "tg", conversation), {"deleted": True})
        code, out, err = self.api("conversations", "get", "--channel", "tg", conversation)
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(err.strip(), f"gangway api: the chatbot API answered 404: no conversation {conversation}")
        status, _, _ = self.gw.admin("GET", "/conversations?" + urlencode({"channel": "tg", "providerId": str(CHAT)}))
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
