#!/usr/bin/env python3
"""Vectors for Gangway's Bird adapter, one per scheme, over Gangway's Bird samples:

* MessageBird-Signature-JWT: a JWT made with PyJWT as MessageBird does, accepted by the
  messagebird SDK's RequestValidator (the official verifier).
* Standard Webhooks: signed by the standardwebhooks SDK with the same signing key.
* messagebird-signature (current Bird): no SDK exists; Bird's documented formula
  base64(HMAC-SHA256(key, ts + "\n" + url + "\n" + sha256(body).digest())).

Usage: python sdk_vectors_bird.py > vectors-bird.json
"""
import base64
import hashlib
import hmac
import json
import pathlib
import time
from datetime import datetime, timezone
from unittest import mock

import jwt
from messagebird.request_validator import RequestValidator
from standardwebhooks.webhooks import Webhook

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "bird" / "samples"
KEY = "whsec_Z2FuZ3dheS1iaXJkLXNpZ25pbmcta2V5LTMyYnl0ZXMh"  # also used raw by the JWT and HMAC schemes
URL = "https://hooks.example.com/webhooks/channel_bird?source=bird"
TIMESTAMP = 1764064800


def main() -> None:
    vectors = []
    body = (SAMPLES / "text.json").read_bytes()

    claims = {
        "iss": "MessageBird", "nbf": TIMESTAMP, "exp": TIMESTAMP + 60, "jti": "2f6b1e9c-0a4d-4c8e-9b7a-1d2c3e4f5a6b",
        "url_hash": hashlib.sha256(URL.encode()).hexdigest(), "payload_hash": hashlib.sha256(body).hexdigest(),
    }
    token = jwt.encode(claims, KEY, algorithm="HS256")
    with mock.patch("time.time", return_value=TIMESTAMP + 1), mock.patch("jwt.api_jwt.datetime") as dt:
        dt.now.return_value = datetime.fromtimestamp(TIMESTAMP + 1, tz=timezone.utc)
        dt.side_effect = lambda *a, **k: datetime(*a, **k)
        RequestValidator(KEY).validate_signature(token, URL, body)
    vectors.append({"scheme": "jwt", "sample": "text.json", "url": URL, "timestamp": TIMESTAMP, "jwt": token})

    wh = Webhook(KEY)
    signature = wh.sign("msg_bird_0001", datetime.fromtimestamp(TIMESTAMP, tz=timezone.utc), body.decode())
    vectors.append({"scheme": "standard-webhooks", "sample": "text.json", "id": "msg_bird_0001", "timestamp": TIMESTAMP, "signature": signature})

    mac = hmac.new(KEY.encode(), f"{TIMESTAMP}\n{URL}\n".encode() + hashlib.sha256(body).digest(), hashlib.sha256).digest()
    vectors.append({"scheme": "bird-hmac", "sample": "text.json", "url": URL, "timestamp": TIMESTAMP, "signature": base64.b64encode(mac).decode()})
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
