"""GET /admin/openapi.json (issue 15): the document is valid OpenAPI 3.1, names exactly the admin routes the
server has, and schemathesis finds no answer of a running gateway that differs from it (statuses, content
types, response schemas and headers), with a stand-in chatbot API and a channel that has delivered calls and
a dead letter. Tests/GangwayServerTests/AdminOpenAPITests.swift checks the routes against the router itself."""
import copy
import json
import re
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TempDir, Gateway, Upstream, request, telegram_channel, telegram_headers, telegram_update, wait_until  # noqa: E402

TOKEN = "e2e-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHAT = 777
CHANNELS = "\n".join([
    telegram_channel("tg", chatbot="bot_tg"),
    telegram_channel("tg2", chatbot="bot_other"),
    "      - { id: voice, name: Voice, provider: twilio-voice, chatbotId: bot_v, verification: report, secrets: { authToken: e2e-voice-token } }",
])

# The admin routes the server has, each with a request that reaches its handler ({dead} and {delivered}: ids of
# the fixture's calls). The one list this test checks the document and the server against.
ADMIN_ROUTES = {
    ("GET", "/admin/channels"): "/admin/channels",
    ("GET", "/admin/channels/{id}/recent"): "/admin/channels/tg/recent",
    ("GET", "/admin/deliveries"): "/admin/deliveries?state=dead&channel=tg&limit=5",
    ("DELETE", "/admin/deliveries"): "/admin/deliveries?state=dead&olderThanHours=1000",
    ("GET", "/admin/deliveries/{id}"): "/admin/deliveries/{dead}",
    ("POST", "/admin/deliveries/{id}/replay"): "/admin/deliveries/{delivered}/replay",
    ("POST", "/admin/deliveries/replay"): "/admin/deliveries/replay?channel=nosuch",
    ("POST", "/admin/reload"): "/admin/reload",
    ("GET", "/admin/conversations"): f"/admin/conversations?channel=tg&providerId={CHAT}",
    ("GET", "/admin/schema/upstream-envelope.json"): "/admin/schema/upstream-envelope.json",
    ("GET", "/admin/openapi.json"): "/admin/openapi.json",
}

SCHEMATHESIS_CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
                       "response_headers_conformance"]


def operations(document):
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def resolve(document, ref):
    node = document
    for key in ref.removeprefix("#/").split("/"):
        node = node[key.replace("~1", "/").replace("~0", "~")]
    return node


class OpenAPITest(unittest.TestCase):
    def setUp(self):
        self.tmp_context = TempDir()
        self.tmp = self.tmp_context.__enter__()
        # The stand-in refuses the first call for good (422): a dead letter; the others are delivered.
        self.up = Upstream(self.tmp, "--fail-first", "1", "--fail-status", "422")
        self.gw = Gateway(self.tmp, self.up.url, CHANNELS, admin_token=TOKEN).start()
        for n in (1, 2, 3):
            _, body = telegram_update(CHAT, n)
            status, text, _ = self.gw.post("/webhooks/tg", body, telegram_headers())
            self.assertEqual(status, 200, text)
        wait_until(lambda: [c["status"] for c in self.up.calls()] == [422, 200, 200], what="one dead letter, two delivered")
        items = self.admin_json("GET", "/admin/deliveries?channel=tg")["items"]
        self.ids = {d["state"]: d["id"] for d in items}
        self.assertEqual(set(self.ids), {"dead", "delivered"})
        self.document = self.admin_json("GET", "/admin/openapi.json")

    def tearDown(self):
        try:
            self.gw.stop()
        finally:
            self.up.stop()
            self.tmp_context.__exit__(None, None, None)

    def admin(self, method, path, headers=AUTH):
        return request(self.gw.port, method, path, b"", headers)

    def admin_json(self, method, path):
        status, body, _ = self.admin(method, path)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def concrete(self, path):
        return path.format(dead=self.ids["dead"], delivered=self.ids["delivered"])

    # MARK: the document

    def test_document_is_valid_openapi_3_1_with_bearer_auth_everywhere(self):
        from openapi_spec_validator import OpenAPIV31SpecValidator, validate
        validate(self.document, cls=OpenAPIV31SpecValidator)  # raises with the first fault
        self.assertEqual(self.document["openapi"], "3.1.0")
        self.assertEqual(self.document["components"]["securitySchemes"]["bearerAuth"], {
            "type": "http", "scheme": "bearer", "description": "The configuration's admin.token."})
        self.assertEqual(self.document["security"], [{"bearerAuth": []}])
        for method, path in operations(self.document):
            responses = self.document["paths"][path][method.lower()]["responses"]
            self.assertEqual(responses["401"], {"$ref": "#/components/responses/Unauthorized"}, f"{method} {path}")
            self.assertNotIn("security", self.document["paths"][path][method.lower()])  # none opts out

    def test_documented_routes_are_the_routes_the_server_has(self):
        self.assertEqual(operations(self.document), set(ADMIN_ROUTES))
        # A route that does not exist answers Hummingbird's bare 404; every documented one reaches its handler.
        status, body, _ = self.admin("GET", "/admin/no-such-route")
        self.assertEqual((status, body), (404, ""))
        for (method, template), path in ADMIN_ROUTES.items():
            status, body, headers = self.admin(method, self.concrete(path))
            self.assertNotEqual((status, body), (404, ""), f"{method} {path}: no such route")
            self.assertLess(status, 500, f"{method} {path}: {body}")
            self.assert_documented(method, template, status, body, headers)
            status, body, headers = self.admin(method, self.concrete(path), headers={})
            self.assertEqual((status, headers.get("WWW-Authenticate")), (401, "Bearer"), f"{method} {path} without the token")
            self.assert_documented(method, template, status, body, headers)

    # MARK: answers the generated cases may not reach

    def test_refusals_the_generated_cases_may_not_reach_match_the_document(self):
        def check(method, template, expected, path=None):
            status, body, headers = self.admin(method, self.concrete(path or template))
            self.assertEqual(status, expected, f"{method} {path or template}: {body}")
            self.assert_documented(method, template, status, body, headers)
            return json.loads(body)

        check("POST", "/admin/deliveries/{id}/replay", 409, f"/admin/deliveries/{self.ids['delivered']}/replay")
        check("GET", "/admin/deliveries/{id}", 404, "/admin/deliveries/424242")
        check("GET", "/admin/deliveries", 400, "/admin/deliveries?limit=0")
        check("DELETE", "/admin/deliveries", 400, "/admin/deliveries?state=pending")
        check("GET", "/admin/channels/{id}/recent", 404, "/admin/channels/nosuch/recent")
        check("GET", "/admin/channels/{id}/recent", 400, "/admin/channels/tg/recent?after=-1")
        recent = check("GET", "/admin/channels/{id}/recent", 200, "/admin/channels/tg/recent?after=0")
        self.assertEqual(len(recent["items"]), 3)
        self.assertEqual(check("GET", "/admin/conversations", 200, f"/admin/conversations?channel=tg&providerId={CHAT}")["conversation"]["messages"], 2)
        self.assertIn("upstreamStatus", check("GET", "/admin/conversations", 404, "/admin/conversations?channel=tg&providerId=1"))
        check("GET", "/admin/conversations", 404, "/admin/conversations?channel=nosuch&providerId=1")
        check("GET", "/admin/conversations", 400, "/admin/conversations?channel=tg")
        self.assertEqual(check("POST", "/admin/deliveries/{id}/replay", 200, f"/admin/deliveries/{self.ids['dead']}/replay"), {"count": 1})

        # An invalid file is refused (422); a chatbot API that cannot be reached is 502.
        original = self.gw.config.read_text()
        self.gw.config.write_text(original + "      - { id: bad, name: Bad, provider: nosuch, chatbotId: b }\n")
        refused = check("POST", "/admin/reload", 422)
        self.assertFalse(refused["reloaded"])
        self.gw.config.write_text(original.replace(self.up.url, "http://127.0.0.1:9"))
        self.assertTrue(check("POST", "/admin/reload", 200)["reloaded"])
        self.assertNotIn("upstreamStatus", check("GET", "/admin/conversations", 502, f"/admin/conversations?channel=tg&providerId={CHAT}"))
        self.gw.config.write_text(original)
        check("POST", "/admin/reload", 200)

    def assert_documented(self, method, template, status, body, headers):
        """The answer's status, content type, headers and body are what the document says for that operation."""
        import jsonschema
        responses = self.document["paths"][template][method.lower()]["responses"]
        self.assertIn(str(status), responses, f"{method} {template}: {status} is not documented")
        response = responses[str(status)]
        if "$ref" in response:
            response = resolve(self.document, response["$ref"])
        for name, header in response.get("headers", {}).items():
            header = resolve(self.document, header["$ref"]) if "$ref" in header else header
            value = {k.lower(): v for k, v in headers.items()}.get(name.lower())
            if header.get("required"):
                self.assertIsNotNone(value, f"{method} {template} {status}: no {name}")
            if value is not None:
                jsonschema.validate(value, header["schema"])
        content_type = headers.get("Content-Type") or headers.get("content-type")
        self.assertIn(content_type, response["content"], f"{method} {template} {status}")
        # The response schema inside a wrapper that carries the components its $refs point to.
        schema = {"components": self.document["components"], "allOf": [response["content"][content_type]["schema"]]}
        jsonschema.Draft202012Validator(schema).validate(json.loads(body))

    # MARK: schemathesis

    def test_schemathesis_finds_no_answer_that_differs_from_the_document(self):
        cli = Path(sys.executable).parent / "schemathesis"
        self.assertTrue(cli.exists(), "schemathesis is not installed: pip install -r Tests/e2e/requirements-openapi.txt")
        spec = Path(self.tmp) / "openapi.json"
        spec.write_text(json.dumps(self.with_examples()))
        started = time.monotonic()
        run = subprocess.run(
            [str(cli), "run", str(spec), "--url", f"http://127.0.0.1:{self.gw.port}", "--header", f"Authorization: Bearer {TOKEN}",
             "--checks", ",".join(SCHEMATHESIS_CHECKS), "--phases", "examples,coverage,fuzzing", "--max-examples", "100",
             "--workers", "2", "--request-timeout", "10", "--generation-database", "none", "--no-color"],
            cwd=self.tmp, capture_output=True, text=True, timeout=120)
        report = run.stdout + run.stderr
        self.assertEqual(run.returncode, 0, f"schemathesis found answers that differ from the document:\n{report}")
        self.assertIn("11 selected / 11 total", report)
        summary = re.search(r"\d+ generated, \d+ passed", report)
        self.assertIsNotNone(summary, report)
        print(f"\n  schemathesis: {summary.group(0)} in {time.monotonic() - started:.1f} s", file=sys.stderr)

    def with_examples(self):
        """The document with the fixture's ids as parameter examples, so that the examples phase reaches real
        data (a channel with webhooks, a dead letter and a delivered call, a conversation the stand-in has)."""
        document = copy.deepcopy(self.document)
        values = {
            ("/admin/channels/{id}/recent", "id"): "tg", ("/admin/conversations", "channel"): "tg",
            ("/admin/conversations", "providerId"): str(CHAT), ("/admin/deliveries", "channel"): "tg",
            ("/admin/deliveries", "state"): "dead", ("/admin/deliveries", "olderThanHours"): 1000,
            ("/admin/deliveries/replay", "channel"): "tg2",
        }
        for path, item in document["paths"].items():
            for operation in item.values():
                parameters = []
                for parameter in operation.get("parameters", []):
                    parameter = copy.deepcopy(resolve(document, parameter["$ref"]) if "$ref" in parameter else parameter)
                    if path.startswith("/admin/deliveries/{id}"):
                        examples = {"dead": self.ids["dead"], "delivered": self.ids["delivered"]}
                    elif (path, parameter["name"]) in values:
                        examples = {"fixture": values[(path, parameter["name"])]}
                    else:
                        examples = {}
                    if examples:
                        parameter["examples"] = {name: {"value": value} for name, value in examples.items()}
                    parameters.append(parameter)
                if parameters:
                    operation["parameters"] = parameters
        return document


if __name__ == "__main__":
    unittest.main()
