#!/usr/bin/env python3
"""WeChat vectors for Gangway's samples, made with wechatpy (the widely used community SDK;
Tencent publishes no official PyPI package):

* plaintext mode: `signature` = WeChatSigner(token, timestamp, nonce), checked with check_signature;
* safe mode: text.xml encrypted by wechatpy's WeChatCrypto (AES-256-CBC, random prefix), its
  msg_signature, and the round trip through decrypt_message.

Usage: python sdk_vectors_wechat.py > vectors-wechat.json
"""
import json
import pathlib

from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner, check_signature

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "adapters" / "wechat" / "samples"
TOKEN = "gangwaywechattoken"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx1234567890abcdef"
TIMESTAMP = "1764064800"
NONCE = "1320562132"


def main() -> None:
    signer = WeChatSigner()
    signer.add_data(TOKEN, TIMESTAMP, NONCE)
    signature = signer.signature
    check_signature(TOKEN, signature, TIMESTAMP, NONCE)

    crypto = WeChatCrypto(TOKEN, ENCODING_AES_KEY, APP_ID)
    xml = (SAMPLES / "text.xml").read_text(encoding="utf-8")
    reply = crypto.encrypt_message(xml, NONCE, TIMESTAMP)
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    msg_signature = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    body = f"<xml><ToUserName><![CDATA[gh_3f2e1d0c9b8a]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    assert crypto.decrypt_message(body, msg_signature, TIMESTAMP, NONCE) == xml

    print(json.dumps({
        "token": TOKEN, "encodingAESKey": ENCODING_AES_KEY, "appId": APP_ID, "timestamp": TIMESTAMP, "nonce": NONCE,
        "signature": signature, "encryptedBody": body, "msgSignature": msg_signature,
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
