import Foundation
import GangwayCore

/// WeChat's signatures and safe-mode encryption (AES-256-CBC, key = base64 of the 43-character
/// EncodingAESKey, IV = its first 16 bytes, PKCS#7 padding to 32-byte blocks; plaintext =
/// 16 random bytes, a 4-byte big-endian length, the XML, the app id).
enum WeChatCrypto {
    /// Hex SHA-1 of the parts sorted and concatenated: `signature` (token, timestamp, nonce) and
    /// `msg_signature` (the same plus the `Encrypt` element).
    static func signature(_ parts: [String]) -> String {
        Signatures.hex(Signatures.sha1(Array(parts.sorted().joined().utf8)))
    }

    /// The 32-byte key of an EncodingAESKey; nil when it is not 43 base64 characters.
    static func key(fromEncodingAESKey text: String) -> [UInt8]? {
        guard text.count == 43, let key = Data(base64Encoded: text + "="), key.count == 32 else { return nil }
        return Array(key)
    }

    /// The XML and the app id inside an `Encrypt` value; nil when it does not decrypt.
    static func decrypt(_ base64: String, key: [UInt8]) -> (xml: [UInt8], appId: String)? {
        guard let cipher = Signatures.fromBase64(base64), let plain = AESCBC.decrypt(cipher, key: key, iv: Array(key[0..<16])),
            let pad = plain.last, (1...32).contains(Int(pad)), plain.count >= 20 + Int(pad)
        else { return nil }
        let content = plain.dropLast(Int(pad))
        let lengthBytes = content.dropFirst(16).prefix(4)
        let length = lengthBytes.reduce(0) { $0 << 8 | Int($1) }
        guard content.count >= 20 + length else { return nil }
        let xml = Array(content.dropFirst(20).prefix(length))
        let appId = String(decoding: content.dropFirst(20 + length), as: UTF8.self)
        return (xml, appId)
    }

    static func encrypt(_ xml: [UInt8], appId: String, key: [UInt8], random: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }) -> String? {
        let n = UInt32(xml.count)
        var plain = random + [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + xml + Array(appId.utf8)
        let pad = 32 - plain.count % 32
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        return AESCBC.encrypt(plain, key: key, iv: Array(key[0..<16])).map { Signatures.base64($0) }
    }
}
