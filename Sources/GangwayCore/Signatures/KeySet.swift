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

/// Key sets by OpenID metadata URL: a fetcher service fills them, adapters read them (one
/// directory per gateway, in its ``AdapterEnvironment``). An adapter that meets an unknown key id marks its URL for an early refresh (keys are
/// rotated; a new `kid` must trigger a fetch, not a permanent failure).
public final class KeyDirectory: Sendable {
    private struct Entry {
        var keys = KeySet()
        var fetchedAt: Date?
        var wantsRefresh = true
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Makes a metadata URL known, so that the fetcher loads it.
    public func register(_ metadataURL: String) {
        entries.withLock { entries in
            if entries[metadataURL] == nil { entries[metadataURL] = Entry() }
        }
    }

    /// Replaces the keys of a metadata URL (called by the fetcher).
    public func update(_ metadataURL: String, keys: KeySet, at date: Date = Date()) {
        entries.withLock { $0[metadataURL] = Entry(keys: keys, fetchedAt: date, wantsRefresh: false) }
    }

    /// The URLs to fetch now: never fetched, older than `maxAge`, or asked for by an unknown `kid`.
    /// An early refresh is not repeated more often than `minInterval`.
    public func urlsDue(now: Date = Date(), maxAge: TimeInterval = 86_400, minInterval: TimeInterval = 60) -> [String] {
        entries.withLock { entries in
            entries.compactMap { url, entry in
                guard let fetched = entry.fetchedAt else { return url }
                let age = now.timeIntervalSince(fetched)
                return age >= maxAge || (entry.wantsRefresh && age >= minInterval) ? url : nil
            }.sorted()
        }
    }

    /// The key source of one metadata URL, for an adapter.
    public func source(for metadataURL: String) -> any SigningKeySource {
        register(metadataURL)
        return Source(directory: self, url: metadataURL)
    }

    fileprivate func key(id: String, url: String) -> KeySet.Key? {
        entries.withLock { entries in
            if let key = entries[url]?.keys.key(id: id) { return key }
            entries[url, default: Entry()].wantsRefresh = true
            return nil
        }
    }

    private struct Source: SigningKeySource {
        let directory: KeyDirectory
        let url: String
        func key(id: String) -> KeySet.Key? { directory.key(id: id, url: url) }
    }
}
