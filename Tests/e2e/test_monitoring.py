"""deploy/prometheus and deploy/grafana: the alert rules pass promtool's check and unit tests, the
dashboard's queries are valid PromQL, and both name only metrics the gateway exports (issue 15)."""
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT  # noqa: E402

PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "gangway.json"


def exported_metrics():
    """The metric names the Swift code creates (Counter/Gauge/Timer labels and the counter cache)."""
    names = set()
    for path in (ROOT / "Sources").rglob("*.swift"):
        text = path.read_text()
        names.update(re.findall(r'label: "(gangway_[a-z_]+)"', text))
        names.update(re.findall(r'counter\("(gangway_[a-z_]+)"', text))
        names.update(re.findall(r'metricLabel = "(gangway_[a-z_]+)"', text))
    return names


def referenced(text):
    """Metric names in PromQL, histogram suffixes stripped."""
    return {re.sub(r"_(bucket|sum|count)$", "", m) for m in re.findall(r"\bgangway_[a-z_]+", text)}


def dashboard_queries():
    return [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]


@unittest.skipUnless(shutil.which("promtool"), "promtool is not installed (scripts/test.sh installs Debian's prometheus)")
class PromtoolTest(unittest.TestCase):
    def test_alert_rules_check_and_their_unit_tests_pass(self):
        for args in (["check", "rules", "gangway-alerts.yml"], ["test", "rules", "gangway-alerts.test.yml"]):
            run = subprocess.run(["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    def test_every_dashboard_query_is_valid_promql(self):
        # Each query as a recording rule, Grafana's variables given values, so that promtool parses it.
        lines = ["groups:", "  - name: dashboard", "    rules:"]
        for i, expr in enumerate(dashboard_queries()):
            expr = expr.replace("$__rate_interval", "5m").replace("$channel", ".*")
            lines += [f"      - record: gangway:dashboard:{i}", f"        expr: {json.dumps(expr)}"]
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("\n".join(lines) + "\n")
        run = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
        Path(f.name).unlink()
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)


class MetricNamesTest(unittest.TestCase):
    def test_dashboard_and_alerts_name_only_exported_metrics(self):
        exported = exported_metrics()
        self.assertIn("gangway_webhooks_total", exported)
        self.assertIn("gangway_ingest_stage_seconds", exported)
        used = referenced((PROMETHEUS / "gangway-alerts.yml").read_text()) | referenced("\n".join(dashboard_queries()))
        self.assertFalse(used - exported, f"not exported by the gateway: {sorted(used - exported)}")
        self.assertGreaterEqual(len(used), 10)


if __name__ == "__main__":
    unittest.main()
