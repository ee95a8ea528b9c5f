import Crypto
import Foundation
import _CryptoExtras

/// AES-CBC without padding handling, for providers that encrypt payloads with their own
/// padding rules (WeChat safe mode pads PKCS#7 to 32-byte blocks, which a 16-byte PKCS#7
/// unpadder rejects). Callers add and remove the padding themselves.
public enum AESCBC {
    /// Decrypts whole blocks; nil when the key is not 16/24/32 bytes, the IV not 16 bytes, or
    /// the ciphertext not a multiple of 16 bytes.
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
        guard [16, 24, 32].contains(key.count), !ciphertext.isEmpty, ciphertext.count % 16 == 0,
            let iv = try? AES._CBC.IV(ivBytes: iv),
            let plain = try? AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: iv, noPadding: true)
        else { return nil }
        return Array(plain)
    }

    /// Encrypts whole blocks (the plaintext must already be padded to 16 bytes).
    public static func encrypt(_ plaintext: [UInt8], key: [UInt8], iv: [UInt8]) -> [UInt8]? {
        guard [16, 24, 32].contains(key.count), plaintext.count % 16 == 0, let iv = try? AES._CBC.IV(ivBytes: iv),
            let cipher = try? AES._CBC.encrypt(plaintext, using: SymmetricKey(data: key), iv: iv, noPadding: true)
        else { return nil }
        return Array(cipher)
    }
}
