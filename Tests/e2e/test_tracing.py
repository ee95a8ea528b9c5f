"""Traces (issue 15): a webhook that arrives with a `traceparent` becomes one trace at an OTLP
collector, from the webhook's server span (verify, normalize and commit as children) to a client
span per delivery attempt, and the chatbot API receives a `traceparent` of that same trace."""
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, Gateway, TempDir, Upstream, run_cli, telegram_channel, telegram_headers, telegram_update, wait_until  # noqa: E402
from otlp_collector import Collector  # noqa: E402

SERVER, CLIENT = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind


def traced_gateway(tmp, upstream, collector, extra_args=()):
    gw = Gateway(tmp, upstream.url, telegram_channel(), extra_args=extra_args)
    gw.config.write_text(gw.config.read_text() + f"telemetry: {{ otlpEndpoint: {collector.url}, serviceName: gangway-e2e }}\n")
    return gw.start()


class TracingTest(unittest.TestCase):
    def test_a_webhook_is_one_trace_from_ingress_to_the_chatbot_api(self):
        trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
        parent = "00f067aa0ba902b7"
        with TempDir() as tmp:
            collector = Collector()
            up = Upstream(tmp, "--fail-first", "1")  # the first attempt fails: two client spans
            gw = traced_gateway(tmp, up, collector, extra_args=("--log-format", "json", "--log-level", "debug"))
            try:
                _, body = telegram_update(7, 1)
                headers = {**telegram_headers(), "traceparent": f"00-{trace_id}-{parent}-01", "tracestate": "vendor=abc"}
                self.assertEqual(gw.post("/webhooks/tg", body, headers)[0], 200)
                wait_until(lambda: any(c["status"] == 200 for c in up.calls()), timeout=30, what="delivery")
                wait_until(lambda: len([s for s in collector.trace(trace_id) if s["kind"] == CLIENT]) >= 2, timeout=30,
                           what="two attempt spans at the collector")
                wait_until(lambda: any(s["kind"] == SERVER for s in collector.trace(trace_id)), timeout=30, what="the server span")
                calls = up.calls()
            finally:
                gw.stop()
                up.stop()
                collector.stop()
            spans = collector.trace(trace_id)
            by_id = {s["span_id"]: s for s in spans}
            server = [s for s in spans if s["kind"] == SERVER]
            self.assertEqual(len(server), 1, spans)
            server = server[0]
            # The webhook's span continues the incoming trace: its parent is the caller's span.
            self.assertEqual(server["parent_span_id"], parent)
            self.assertEqual(server["attributes"]["gangway.channel"], "tg")
            self.assertEqual(server["attributes"]["gangway.provider"], "telegram")
            self.assertEqual(server["attributes"]["gangway.outcome"], "accepted")
            self.assertEqual(server["attributes"]["gangway.calls"], 1)
            self.assertEqual(server["attributes"]["http.response.status_code"], 200)
            self.assertEqual(server["resource"]["service.name"], "gangway-e2e")
            children = {s["name"] for s in spans if s["parent_span_id"] == server["span_id"]}
            self.assertTrue({"verify", "normalize", "commit"} <= children, children)
            attempts = sorted((s for s in spans if s["kind"] == CLIENT), key=lambda s: s["attributes"]["gangway.attempt"])
            self.assertEqual(len(attempts), 2)
            for a in attempts:
                # Delivery happens later, in another task: the stored context makes it the webhook's child.
                self.assertEqual(a["parent_span_id"], server["span_id"])
                self.assertIn(a["parent_span_id"], by_id)
            self.assertEqual([a["attributes"]["http.response.status_code"] for a in attempts], [503, 200])
            # The chatbot API received the same trace, each attempt as its own span.
            self.assertEqual(len(calls), 2)
            sent = [c["traceparent"].split("-") for c in calls]
            self.assertEqual({p[1] for p in sent}, {trace_id})
            self.assertEqual({p[2] for p in sent}, {a["span_id"] for a in attempts})
            # Log lines written inside the trace carry its ids.
            logged = [json.loads(line) for line in gw.output().splitlines() if line.startswith("{")]
            retried = [e for e in logged if e["message"] == "call will be retried"]
            self.assertTrue(retried, "the retry is logged")
            self.assertEqual(retried[0].get("trace_id"), trace_id)
            self.assertIn(retried[0].get("span_id"), {a["span_id"] for a in attempts})

    def test_without_a_traceparent_a_new_trace_starts_and_reaches_the_api(self):
        with TempDir() as tmp:
            collector = Collector()
            up = Upstream(tmp)
            gw = traced_gateway(tmp, up, collector)
            try:
                _, body = telegram_update(8, 1)
                # An invalid traceparent is ignored, as the W3C specification asks.
                headers = {**telegram_headers(), "traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}
                self.assertEqual(gw.post("/webhooks/tg", body, headers)[0], 200)
                wait_until(lambda: len(up.calls()) == 1, what="delivery")
                parent = up.calls()[0]["traceparent"]
                self.assertRegex(parent, r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
                trace_id = parent.split("-")[1]
                wait_until(lambda: {SERVER, CLIENT} <= {s["kind"] for s in collector.trace(trace_id)}, timeout=30, what="the trace")
            finally:
                gw.stop()
                up.stop()
                collector.stop()
            self.assertEqual(collector.trace(trace_id)[0]["trace_id"], trace_id)
            self.assertTrue(all(path == "/v1/traces" and ctype == "application/x-protobuf" for path, ctype in collector.requests))

    def test_without_telemetry_the_incoming_traceparent_is_passed_on_and_nothing_is_exported(self):
        trace_id = "0af7651916cd43dd8448eb211c80319c"
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel()).start()
            try:
                _, body = telegram_update(9, 1)
                incoming = f"00-{trace_id}-b7ad6b7169203331-01"
                self.assertEqual(gw.post("/webhooks/tg", body, {**telegram_headers(), "traceparent": incoming})[0], 200)
                _, body2 = telegram_update(9, 2)
                self.assertEqual(gw.post("/webhooks/tg", body2, telegram_headers())[0], 200)
                wait_until(lambda: len(up.calls()) == 2, what="delivery")
                calls = sorted(up.calls(), key=lambda c: c["body"]["message"]["text"])
            finally:
                gw.stop()
                up.stop()
            self.assertEqual(calls[0]["traceparent"], incoming)
            self.assertIsNone(calls[1]["traceparent"])

    def test_the_config_section_is_checked(self):
        with TempDir() as tmp:
            base = (ROOT / "config" / "gangway.yaml").read_text()
            good = Path(tmp) / "good.yaml"
            good.write_text(base + "\ntelemetry: { otlpEndpoint: http://127.0.0.1:4318/, serviceName: gw }\n")
            self.assertEqual(run_cli("check-config", "--config", str(good))[0], 0)
            bad = Path(tmp) / "bad.yaml"
            bad.write_text(base + "\ntelemetry: { otlpEndpoint: collector:4318, serviceName: '', sampling: 1 }\n")
            code, _, err = run_cli("check-config", "--config", str(bad))
            self.assertEqual(code, 1)
            self.assertIn("telemetry.otlpEndpoint: expected the http(s) URL of an OTLP/HTTP collector", err)
            self.assertIn("telemetry.serviceName: must not be empty", err)
            self.assertIn("telemetry.sampling: unknown key", err)
            missing = Path(tmp) / "missing.yaml"
            missing.write_text(base + "\ntelemetry: { serviceName: gw }\n")
            code, _, err = run_cli("check-config", "--config", str(missing))
            self.assertEqual(code, 1)
            self.assertIn("telemetry.otlpEndpoint", err)


if __name__ == "__main__":
    unittest.main()
