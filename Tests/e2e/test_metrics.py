"""/metrics as an operator reads it: where an acknowledgement spends its time (issue 14)."""
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import Gateway, TempDir, Upstream, telegram_channel, telegram_headers, telegram_update, wait_until  # noqa: E402

STAGES = ("receive", "verify", "normalize", "commit_wait", "commit", "total")


class IngestStageMetricsTest(unittest.TestCase):
    def test_every_stage_of_an_acknowledgement_is_a_histogram(self):
        with TempDir() as tmp:
            up = Upstream(tmp)
            gw = Gateway(tmp, up.url, telegram_channel()).start()
            try:
                for n in range(1, 6):
                    _, body = telegram_update(7, n)
                    status, answer, _ = gw.post("/webhooks/tg", body, telegram_headers())
                    self.assertEqual(status, 200, answer)
                wait_until(lambda: len(up.calls()) == 5, what="five deliveries")
                status, text, _ = gw.get("/metrics")
                self.assertEqual(status, 200)
                text = text.decode() if isinstance(text, bytes) else text
                for stage in STAGES:
                    count = re.search(r'gangway_ingest_stage_seconds_count\{stage="%s"\} (\d+)' % stage, text)
                    self.assertIsNotNone(count, f"no histogram for stage {stage}")
                    self.assertEqual(int(count.group(1)), 5, f"stage {stage}")
                    # Fine buckets: an acknowledgement's parts take micro- to milliseconds.
                    self.assertIn('gangway_ingest_stage_seconds_bucket{stage="%s",le="0.00005"}' % stage, text)
                # The parts cannot add up to more than the whole.
                sums = {s: float(re.search(r'gangway_ingest_stage_seconds_sum\{stage="%s"\} ([0-9.e+-]+)' % s, text).group(1)) for s in STAGES}
                self.assertLessEqual(sums["verify"] + sums["normalize"] + sums["commit"], sums["total"] * 1.01 + 1e-6)
            finally:
                gw.stop()
                up.stop()


if __name__ == "__main__":
    unittest.main()
