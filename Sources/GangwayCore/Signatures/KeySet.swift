import Foundation
import Synchronization
import _CryptoExtras

/// RSA signing keys by key id, read from a JSON Web Key Set (RFC 7517), for providers that
/// sign with their own private key (Bot Framework's RS256 tokens).
public struct KeySet: Sendable {
    public struct Key: Sendable {
        public let id: String
        public let publicKey: _RSA.Signing.PublicKey
        /// Bot Framework's `endorsements`: the channel ids this key may sign for; nil when the
        /// key set gives none.
        public let endorsements: [String]?

        public init(id: String, publicKey: _RSA.Signing.PublicKey, endorsements: [String]? = nil) {
            self.id = id
            self.publicKey = publicKey
            self.endorsements = endorsements
        }

        /// A key from a JWK's `n` and `e` (base64url big-endian integers).
        /// - Returns: nil when they are not base64url or not an RSA key of at least 2048 bits.
        public init?(id: String, n: String, e: String, endorsements: [String]? = nil) {
            guard let modulus = Signatures.fromBase64(n), let exponent = Signatures.fromBase64(e),
                let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent)
            else { return nil }
            self.init(id: id, publicKey: key, endorsements: endorsements)
        }
    }

    public private(set) var keys: [String: Key] = [:]

    public init(_ keys: [Key] = []) {
        for key in keys { self.keys[key.id] = key }
    }

    /// Reads the `keys` of a JWKS document; keys that are not usable RSA signing keys (another
    /// `kty`, `use` other than `sig`, no `kid`, a bad modulus) are skipped.
    public init(jwks: JSONValue) {
        var keys: [Key] = []
        for jwk in jwks["keys"]?.items ?? [] {
            guard jwk["kty"]?.string == "RSA", jwk["use"]?.string ?? "sig" == "sig", let kid = jwk["kid"]?.string,
                let n = jwk["n"]?.string, let e = jwk["e"]?.string
            else { continue }
            let endorsements = jwk["endorsements"]?.array.map { $0.compactMap(\.string) }
            if let key = Key(id: kid, n: n, e: e, endorsements: endorsements) { keys.append(key) }
        }
        self.init(keys)
    }

    public func key(id: String) -> Key? { keys[id] }
    public var isEmpty: Bool { keys.isEmpty }
}

/// Where an adapter looks up a signing key by its id. Adapters stay pure: the keys are fetched
/// elsewhere (GangwayServer, from the provider's OpenID metadata) and read through this.
public protocol SigningKeySource: Sendable {
    func key(id: String) -> KeySet.Key?
}

extension KeySet: SigningKeySource {}
