/// Output of Tests/e2e/sdk_vectors_wechat.py (wechatpy 1.8.18: WeChatSigner, WeChatCrypto).
enum WeChatSDKVectors {
    static let token = "gangwaywechattoken"
    static let encodingAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    static let appId = "wx1234567890abcdef"
    static let timestamp = "1764064800"
    static let nonce = "1320562132"
    /// `signature` of token, timestamp and nonce.
    static let signature = "5d85dd34a5686aaf3012c496555bf9c09ab68bd3"
    /// samples/text.xml encrypted by wechatpy, as WeChat posts it in safe mode.
    static let encryptedBody =
        "<xml><ToUserName><![CDATA[gh_3f2e1d0c9b8a]]></ToUserName><Encrypt><![CDATA[frJQs75DeGeynwr2QiP953lCDaQ5TBHA7oEBz3rvy/5tM07uBYuXkZYFWzwG8aEePOPzr77fqqcVA+odNIpiDDTCT10nlGgBk9pqxyBnfRopyfkgLMsKxS6AZYt8pWc2Rm8ydPCHNoCwAfuI7byjhiCTtx1kY/oRb9KiPWRSxxStniJKQasvH89oDmEkEZLOaJw2kNbuzWOi22v2HTkGaK1Bmxm5Tv5nd5nrAoVZaE4bnwV1W5ShSwoRg4SiQBSKHN2iP419itMqdykyvLHxsUK7ARWDWxvqrDGmP6Ziv5pmJbm0oHmPPhE8higI2z7/SrWJsmCGotQJ2ME0Skbb4/VaY2nSYGl/Io+/clSx4XFt/ND5y/nuwV0InRlls2RFv93txl3ddZUkq5AYjENj2U3edtg9LqjJHGWSFVbjqJHDc6S4QVp812w5qzmQDhMzsxlsPnLjTkoPovPeYnJAzg==]]></Encrypt></xml>"
    static let msgSignature = "e6e13e17f2e02ed2cac8d915d4bd08d41d5cf2b4"
}
