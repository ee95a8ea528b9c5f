import Crypto
import Foundation

extension Signatures {
    /// Plain SHA-1 digest (WeChat signs `sha1(sorted(token, timestamp, nonce))`, no HMAC).
    public static func sha1(_ data: some DataProtocol) -> [UInt8] { Array(Insecure.SHA1.hash(data: Array(data))) }
}
