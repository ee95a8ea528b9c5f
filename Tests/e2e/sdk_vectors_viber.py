#!/usr/bin/env python3
"""X-Viber-Content-Signature values for Gangway's Viber samples, computed by the viberbot SDK
(`Api._calculate_message_signature`) and checked with `Api.verify_signature`; the SDK's parser
must also accept each sample.

Usage: python sdk_vectors_viber.py > vectors-viber.json
"""
import json
import pathlib

from viberbot import Api
from viberbot.api.bot_configuration import BotConfiguration

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "viber" / "samples"
TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51r"


def main() -> None:
    api = Api(BotConfiguration(name="Gangway", avatar="https://example.com/a.jpg", auth_token=TOKEN))
    vectors = []
    for name in ["text.json", "picture.json", "receipts-seen.json", "webhook.json"]:
        body = (SAMPLES / name).read_bytes()
        signature = api._calculate_message_signature(body)
        assert api.verify_signature(body, signature)
        api.parse_request(body.decode("utf-8"))
        vectors.append({"sample": name, "authToken": TOKEN, "signature": signature})
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
