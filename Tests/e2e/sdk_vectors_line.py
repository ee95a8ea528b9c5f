#!/usr/bin/env python3
"""X-Line-Signature values for Gangway's LINE samples, checked by line-bot-sdk's own validator.

line-bot-sdk only validates (SignatureValidator); the signer is LINE's documented formula,
base64(HMAC-SHA256(channel secret, body)), and every vector is round-tripped through the SDK.
Usage: python sdk_vectors_line.py > vectors-line.json
"""
import base64
import hashlib
import hmac
import json
import pathlib

from linebot.v3.webhook import SignatureValidator, WebhookParser

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "line" / "samples"
SECRET = "gangway-line-channel-secret"


def main() -> None:
    vectors = []
    for name in ["text.json", "batch.json", "follow-unfollow.json"]:
        body = (SAMPLES / name).read_text(encoding="utf-8")
        signature = base64.b64encode(hmac.new(SECRET.encode(), body.encode("utf-8"), hashlib.sha256).digest()).decode()
        assert SignatureValidator(SECRET).validate(body, signature)
        WebhookParser(SECRET).parse(body, signature)  # raises InvalidSignatureError on a mismatch
        vectors.append({"sample": name, "secret": SECRET, "signature": signature})
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
