import Crypto
import Foundation

/// Signature primitives shared by every adapter: HMAC over raw bytes, encodings, a
/// constant-time comparison and timestamp windows. Adapters never re-implement these.
public enum Signatures {
    public enum Hash: Sendable {
        case sha1
        case sha256
        case sha512
    }

    /// HMAC of `message` with `key`.
    public static func hmac(_ hash: Hash, key: some DataProtocol, message: some DataProtocol) -> [UInt8] {
        let k = SymmetricKey(data: Array(key))
        switch hash {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: Array(message), using: k))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: Array(message), using: k))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: Array(message), using: k))
        }
    }

    public static func hmac(_ hash: Hash, key: String, message: some DataProtocol) -> [UInt8] {
        hmac(hash, key: Array(key.utf8), message: message)
    }

    public static func sha256(_ data: some DataProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(data))) }

    /// Compares in time that depends only on the lengths, never on where the bytes differ.
    public static func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        constantTimeEquals(Array(a.utf8), Array(b.utf8))
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil when it is not hex.
    public static func fromHex(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x61 + 10
            case 0x41...0x46: c - 0x41 + 10
            default: nil
            }
        }
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    public static func base64(_ bytes: some Sequence<UInt8>) -> String { Data(bytes).base64EncodedString() }

    /// Decodes standard or URL-safe base64, padded or not.
    public static func fromBase64(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }

    /// Checks that a signed unix timestamp (seconds) is within `tolerance` of `now`.
    /// - Throws: ``AdapterError`` (`unauthorized`) naming the header when it is missing, not a number, or stale.
    public static func checkTimestamp(_ value: String?, header: String, now: Date, tolerance: Double) throws(AdapterError) {
        guard let value else { throw .unauthorized("missing \(header) header", diagnosis: ["header": header]) }
        guard let seconds = Double(value) else {
            throw .unauthorized("\(header) is not a unix time", diagnosis: ["header": header])
        }
        let skew = now.timeIntervalSince1970 - seconds
        guard abs(skew) <= tolerance else {
            throw .unauthorized(
                "\(header) is outside the \(Int(tolerance)) s window (off by \(Int(skew)) s)",
                diagnosis: ["header": header, "skewSeconds": String(Int(skew))])
        }
    }

    /// A short, safe-to-log hint of a signature: its length and first characters.
    public static func hint(_ signature: String) -> String {
        "\(signature.prefix(6))… (\(signature.count) chars)"
    }
}

extension Signatures {
    /// Verifies an Ed25519 signature (Discord, Telnyx) with a raw 32-byte public key.
    /// - Returns: false when the key or signature is malformed or the signature does not match.
    public static func verifyEd25519(publicKey: [UInt8], signature: [UInt8], message: some DataProtocol) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: Array(message))
    }
}
