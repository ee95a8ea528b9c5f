#!/usr/bin/env python3
"""Slack signatures for Gangway's Slack samples, computed by slack_sdk's own SignatureVerifier.

Usage: python sdk_vectors_slack.py > vectors-slack.json
The output is pasted into Tests/AdaptersTests/SlackAdapterTests.swift (sdkVectors).
"""
import json
import pathlib

from slack_sdk.signature import SignatureVerifier

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "slack" / "samples"
SECRET = "gangway-slack-signing-secret"
TIMESTAMP = "1764064800"


class FixedClock:
    def now(self) -> float:
        return float(TIMESTAMP)


def main() -> None:
    verifier = SignatureVerifier(SECRET, clock=FixedClock())
    vectors = []
    for name in ["text.json", "slash-command.form", "url-verification.json"]:
        body = (SAMPLES / name).read_text()
        signature = verifier.generate_signature(timestamp=TIMESTAMP, body=body)
        assert verifier.is_valid(body, TIMESTAMP, signature)
        vectors.append({"sample": name, "secret": SECRET, "timestamp": TIMESTAMP, "signature": signature})
    # Slack's documented example, as an independent check of the SDK and of our sample file.
    docs = SignatureVerifier("8f742231b10e8888abcd99yyyzzz85a5")
    docs_body = (SAMPLES / "slash-command.form").read_text()
    assert docs.generate_signature(timestamp="1531420618", body=docs_body) == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
