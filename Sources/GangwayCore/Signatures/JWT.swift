import Crypto
import Foundation
import _CryptoExtras

/// A JSON Web Token (RFC 7519) in compact form, decoded but not yet trusted.
///
/// Shared by every adapter that receives a JWT (Vonage's signed webhooks, Vonage Voice, Bot
/// Framework): split, base64url-decode, parse header and claims with ``JSONValue`` (numbers stay
/// exact), then check the signature with ``verifyHS256(secret:)`` or ``verifyRS256(key:)`` and the
/// times with ``checkTimes(now:leeway:requireExpiry:maxAge:)``. The algorithm is pinned by the
/// caller, never taken from the token.
public struct JWT: Sendable {
    public let header: JSONValue
    public let claims: JSONValue
    /// `base64url(header) + "." + base64url(claims)`: the bytes the signature covers.
    public let signingInput: [UInt8]
    public let signature: [UInt8]

    /// Why a token was refused. The message names the check, never the token.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Decodes a compact JWS (`header.claims.signature`).
    /// - Throws: ``Failure`` when it has not three parts, a part is not base64url, or header or
    ///   claims are not JSON objects.
    public init(_ token: String) throws(Failure) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Failure("not a JWT: \(parts.count) part(s) instead of 3") }
        guard let headerBytes = Self.base64URL(parts[0]), let claimBytes = Self.base64URL(parts[1]),
            let signature = Self.base64URL(parts[2])
        else { throw Failure("not a JWT: a part is not base64url") }
        guard let header = try? JSONValue.parse(headerBytes), header.isObject else { throw Failure("JWT header is not a JSON object") }
        guard let claims = try? JSONValue.parse(claimBytes), claims.isObject else { throw Failure("JWT claims are not a JSON object") }
        self.header = header
        self.claims = claims
        self.signature = signature
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
    }

    /// The `alg` header.
    public var algorithm: String? { header["alg"]?.string }
    /// The `kid` header: which key signed it.
    public var keyID: String? { header["kid"]?.string }

    // MARK: Signatures

    /// Checks an HS256 signature (`alg` must be `HS256`).
    /// - Throws: ``Failure`` for another algorithm or a signature that does not match.
    public func verifyHS256(secret: some DataProtocol) throws(Failure) {
        try verifyHMAC(secret: secret, algorithms: ["HS256"])
    }

    /// Checks an HMAC signature whose `alg` is one of `algorithms` (HS256, HS512); the algorithm is
    /// pinned by the caller, never taken from the token alone.
    /// - Throws: ``Failure`` for another algorithm or a signature that does not match.
    public func verifyHMAC(secret: some DataProtocol, algorithms: Set<String>) throws(Failure) {
        let hash: Signatures.Hash
        switch algorithm {
        case "HS256" where algorithms.contains("HS256"): hash = .sha256
        case "HS512" where algorithms.contains("HS512"): hash = .sha512
        default: throw Failure("JWT alg is \(algorithm ?? "missing"), expected \(algorithms.sorted().joined(separator: " or "))")
        }
        let expected = Signatures.hmac(hash, key: Array(secret), message: signingInput)
        guard Signatures.constantTimeEquals(expected, signature) else { throw Failure("JWT signature does not match (\(algorithm ?? ""))") }
    }

    /// Checks an RS256 signature (`alg` must be `RS256`): RSASSA-PKCS1-v1_5 with SHA-256.
    /// - Throws: ``Failure`` for another algorithm or a signature that does not match.
    public func verifyRS256(key: _RSA.Signing.PublicKey) throws(Failure) {
        guard algorithm == "RS256" else { throw Failure("JWT alg is \(algorithm ?? "missing"), expected RS256") }
        let valid = key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5)
        guard valid else { throw Failure("JWT signature does not match (RS256)") }
    }

    /// Checks an RS256 signature with a key from a ``KeySet``.
    public func verifyRS256(key: KeySet.Key) throws(Failure) {
        try verifyRS256(key: key.publicKey)
    }

    // MARK: Times

    /// Checks `exp` and `nbf` (and `iat` when `maxAge` is given) against `now`, each with `leeway`.
    /// - Parameters:
    ///   - now: the receive time.
    ///   - leeway: allowed clock skew in seconds.
    ///   - requireExpiry: whether a token without `exp` is refused.
    ///   - maxAge: when given, `iat` is required and must be at most this many seconds old
    ///     (and not more than `leeway` in the future).
    /// - Throws: ``Failure`` naming the claim that failed.
    public func checkTimes(now: Date, leeway: Double, requireExpiry: Bool = true, maxAge: Double? = nil) throws(Failure) {
        let t = now.timeIntervalSince1970
        let d = SafeNumbers.describeSeconds
        if let exp = claims["exp"] {
            guard let seconds = UnixTime.seconds(json: exp) else { throw Failure("JWT exp is not a NumericDate in range") }
            guard t <= seconds + leeway else { throw Failure("JWT expired \(d(t - seconds)) s ago") }
        } else if requireExpiry {
            throw Failure("JWT has no exp")
        }
        if let nbf = claims["nbf"] {
            guard let seconds = UnixTime.seconds(json: nbf) else { throw Failure("JWT nbf is not a NumericDate in range") }
            guard t >= seconds - leeway else { throw Failure("JWT not valid for another \(d(seconds - t)) s (nbf)") }
        }
        if let maxAge {
            guard let iat = UnixTime.seconds(json: claims["iat"]) else { throw Failure("JWT has no iat in range") }
            guard t - iat <= maxAge + leeway else { throw Failure("JWT issued \(d(t - iat)) s ago, more than \(d(maxAge)) s") }
            guard iat - t <= leeway else { throw Failure("JWT issued \(d(iat - t)) s in the future (iat)") }
        }
    }

    /// Whether the `aud` claim (a string or an array of strings) contains `audience`.
    public func hasAudience(_ audience: String) -> Bool {
        if let aud = claims["aud"]?.string { return aud == audience }
        return (claims["aud"]?.items ?? []).contains { $0.string == audience }
    }

    // MARK: Signing (samples and tests)

    /// Makes an HS256 token with these claims (for `gangway simulate` and tests).
    public static func signHS256(claims: JSONValue, secret: some DataProtocol, header extra: [(String, JSONValue)] = []) -> String {
        let input = encodedInput(header: [("alg", .string("HS256")), ("typ", .string("JWT"))] + extra, claims: claims)
        return input + "." + base64URL(Signatures.hmac(.sha256, key: Array(secret), message: Array(input.utf8)))
    }

    /// Makes an RS256 token with these claims (for tests and local emulators).
    /// - Returns: nil when the key cannot sign.
    public static func signRS256(claims: JSONValue, key: _RSA.Signing.PrivateKey, keyID: String?) -> String? {
        var header: [(String, JSONValue)] = [("alg", .string("RS256")), ("typ", .string("JWT"))]
        if let keyID { header.append(("kid", .string(keyID))) }
        let input = encodedInput(header: header, claims: claims)
        guard let sig = try? key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5) else { return nil }
        return input + "." + base64URL(Array(sig.rawRepresentation))
    }

    private static func encodedInput(header: [(String, JSONValue)], claims: JSONValue) -> String {
        base64URL(Array(JSONValue.object(header).serialized().utf8)) + "." + base64URL(Array(claims.serialized().utf8))
    }

    // MARK: base64url

    /// Unpadded base64url (RFC 7515, section 2).
    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Signatures.base64(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func base64URL(_ text: Substring) -> [UInt8]? {
        // Only the URL-safe alphabet is valid in a JWS part.
        guard text.utf8.allSatisfy({ $0.isBase64URLCharacter }) else { return nil }
        return Signatures.fromBase64(String(text))
    }

    /// The `Authorization: Bearer <token>` value of a request, if any.
    public static func bearerToken(_ headers: HeaderFields) -> String? {
        guard let value = headers["authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}

extension UInt8 {
    fileprivate var isBase64URLCharacter: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || (0x30...0x39).contains(self) || self == 0x2D || self == 0x5F
    }
}
