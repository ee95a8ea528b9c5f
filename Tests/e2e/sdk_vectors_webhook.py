#!/usr/bin/env python3
"""Standard Webhooks signatures for Gangway's `webhook` samples, made by the standardwebhooks SDK.

Usage: python sdk_vectors_webhook.py > vectors-webhook.json
"""
import json
import pathlib
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "webhook" / "samples"
SECRET = "whsec_dGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmchISE="
TIMESTAMP = 1764064800


def main() -> None:
    wh = Webhook(SECRET)
    when = datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc)
    vectors = []
    for i, name in enumerate(["text.json", "media.json", "event-read.json"]):
        body = (SAMPLES / name).read_text(encoding="utf-8")
        msg_id = f"msg_gangway_{i:04d}"
        signature = wh.sign(msg_id, when, body)
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(TIMESTAMP), "webhook-signature": signature}
        wh._Webhook__verify_timestamp = lambda ts: datetime.fromtimestamp(int(ts), tz=timezone.utc)  # fixed clock
        wh.verify(body, headers)
        vectors.append({"sample": name, "secret": SECRET, "id": msg_id, "timestamp": str(TIMESTAMP), "signature": signature})
    # providers.md's computed vector, as a check of the SDK itself.
    assert wh.sign("msg_2Lh9KRb0pzN4LePd3XiA4xRt0Mx", datetime.fromtimestamp(1700000000, tz=timezone.utc), '{"type":"message.received","data":{"id":"m1"}}') == (
        "v1,5uxAilp5G6EBGf09KoIFRMAzhovnuthVIyCU+bSojWE="
    )
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
