import Crypto
import Foundation

extension Signatures {
    /// Signs `message` with an Ed25519 private key given as its 32-byte seed.
    ///
    /// Only `gangway simulate` and tests sign: a provider that signs with Ed25519 (Telnyx,
    /// Discord) keeps its private key, so the gateway signs samples with a published demo key.
    /// - Returns: the 64-byte signature, or nil when the seed is not 32 bytes.
    public static func signEd25519(seed: [UInt8], message: some DataProtocol) -> [UInt8]? {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { return nil }
        return (try? key.signature(for: Array(message))).map(Array.init)
    }

    /// The raw 32-byte public key of an Ed25519 seed; nil when the seed is not 32 bytes.
    public static func ed25519PublicKey(seed: [UInt8]) -> [UInt8]? {
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)).map { Array($0.publicKey.rawRepresentation) }
    }
}
