#!/usr/bin/env python3
"""Ed25519 signatures for Gangway's Discord samples: signed with PyNaCl (as Discord does) and
checked with the discord-interactions SDK's verify_key.

The seed is 0x00..0x1f, the same one `gangway simulate` uses (DemoKeys.ed25519Seed in adapters/Shared/DemoKeys.swift).
Usage: python sdk_vectors_discord.py > vectors-discord.json
"""
import json
import pathlib

from discord_interactions import verify_key
from nacl.signing import SigningKey

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "discord" / "samples"
SEED = bytes(range(32))
TIMESTAMP = "1764064800"


def main() -> None:
    key = SigningKey(SEED)
    public_key = key.verify_key.encode().hex()
    assert public_key == "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
    vectors = []
    for name in ["ping.json", "text.json", "button.json", "modal.json"]:
        body = (SAMPLES / name).read_bytes()
        signature = key.sign(TIMESTAMP.encode() + body).signature.hex()
        assert verify_key(body, signature, TIMESTAMP, public_key)
        vectors.append({"sample": name, "publicKey": public_key, "timestamp": TIMESTAMP, "signature": signature})
    print(json.dumps(vectors, indent=2))


if __name__ == "__main__":
    main()
