import Crypto
import Foundation

/// Signature primitives shared by every adapter: HMAC over raw bytes, encodings, a
/// constant-time comparison and timestamp windows. Adapters never re-implement these.
/// A channel's HMAC secret, prepared once (adapters keep one instead of the secret's text).
public struct HMACKey: Sendable {
    let key: SymmetricKey
    /// HMAC-SHA256 with the key already absorbed: each message starts from a copy of it, so the
    /// key's padding and first hash block are done once per channel, not once per webhook (it was
    /// a third of a webhook's verification).
    let sha256: HMAC<SHA256>

    public init(_ secret: String) { self.init(key: SymmetricKey(data: Array(secret.utf8))) }
    public init(bytes: [UInt8]) { self.init(key: SymmetricKey(data: bytes)) }

    private init(key: SymmetricKey) {
        self.key = key
        sha256 = HMAC<SHA256>(key: key)
    }
}

public enum Signatures {
    public enum Hash: Sendable {
        case sha1
        case sha256
        case sha512
    }

    /// HMAC of `message` with `key`.
    ///
    /// The generic entry points copy their arguments into arrays once and call the byte-array
    /// versions; adapters pass `[UInt8]` bodies, which take the concrete path with no generic
    /// dispatch (whose runtime metadata lookups cost more than the hash itself).
    public static func hmac(_ hash: Hash, key: some DataProtocol, message: some DataProtocol) -> [UInt8] {
        mac(hash, key: SymmetricKey(data: [UInt8](key)), message: [UInt8](message))
    }

    public static func hmac(_ hash: Hash, key: [UInt8], message: [UInt8]) -> [UInt8] {
        mac(hash, key: SymmetricKey(data: key), message: message)
    }

    /// HMAC with a key built once (an adapter keeps its channel's key).
    public static func hmac(_ hash: Hash, key: HMACKey, message: [UInt8]) -> [UInt8] {
        guard case .sha256 = hash else { return mac(hash, key: key.key, message: message) }
        var mac = key.sha256
        message.withUnsafeBytes { mac.update(data: $0) }
        return Array(mac.finalize())
    }

    /// The one implementation (distinct name: the generic entry points must not resolve to themselves).
    private static func mac(_ hash: Hash, key: SymmetricKey, message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { bytes in
            switch hash {
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: bytes, using: key))
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
            case .sha512: Array(HMAC<SHA512>.authenticationCode(for: bytes, using: key))
            }
        }
    }

    public static func hmac(_ hash: Hash, key: String, message: some DataProtocol) -> [UInt8] {
        mac(hash, key: SymmetricKey(data: Array(key.utf8)), message: [UInt8](message))
    }

    public static func hmac(_ hash: Hash, key: String, message: [UInt8]) -> [UInt8] {
        mac(hash, key: SymmetricKey(data: Array(key.utf8)), message: message)
    }

    public static func sha256(_ data: some DataProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(data))) }

    /// Compares in time that depends only on the lengths, never on where the bytes differ.
    public static func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        equalBytes([UInt8](a), [UInt8](b))
    }

    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool { equalBytes(a, b) }

    private static func equalBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                for i in 0..<x.count { diff |= x[i] ^ y[i] }
            }
        }
        return diff == 0
    }

    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        equalBytes(Array(a.utf8), Array(b.utf8))
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String { hexString([UInt8](bytes)) }

    public static func hex(_ bytes: [UInt8]) -> String { hexString(bytes) }

    private static func hexString(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            digits.withUTF8Buffer { d in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = d[Int(b >> 4)]
                    out[2 * i + 1] = d[Int(b & 0x0F)]
                }
            }
            return bytes.count * 2
        }
    }

    /// Decodes hex (either case); nil when it is not hex.
    public static func fromHex(_ text: some StringProtocol) -> [UInt8]? { decodeHex(Substring(text).utf8) }

    public static func fromHex(_ text: String) -> [UInt8]? { decodeHex(Substring(text).utf8) }

    public static func fromHex(_ text: Substring) -> [UInt8]? { decodeHex(text.utf8) }

    /// The value of one hex digit (either case); nil for any other byte.
    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    private static func decodeHex(_ chars: Substring.UTF8View) -> [UInt8]? {
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var high: UInt8?
        for c in chars {
            guard let n = hexDigit(c) else { return nil }
            if let h = high {
                out.append(h << 4 | n)
                high = nil
            } else {
                high = n
            }
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

    /// Checks that a signed unix timestamp (whole seconds) is within `tolerance` of `now`.
    ///
    /// The value must be a plain decimal integer within ``UnixTime/range`` (``UnixTime/seconds(_:)``):
    /// `nan`, `inf`, `1e300`, a sign, a fraction or 30 digits are refused like a stale time.
    /// - Throws: ``AdapterError`` (`unauthorized`) naming the header when it is missing, not a unix time, or stale.
    public static func checkTimestamp(_ value: String?, header: String, now: Date, tolerance: Double) throws(AdapterError) {
        guard let value else { throw .unauthorized("missing \(header) header", diagnosis: ["header": header]) }
        guard let seconds = UnixTime.seconds(value) else {
            throw .unauthorized("\(header) is not a unix time in seconds", diagnosis: ["header": header])
        }
        let skew = now.timeIntervalSince1970 - Double(seconds)
        guard abs(skew) <= tolerance else {
            throw .unauthorized(
                "\(header) is outside the \(SafeNumbers.describeSeconds(tolerance)) s window (off by \(SafeNumbers.describeSeconds(skew)) s)",
                diagnosis: ["header": header, "skewSeconds": SafeNumbers.describeSeconds(skew)])
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
