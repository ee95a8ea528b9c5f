import Crypto
import Foundation

extension Signatures {
    /// Signs `message` with the Ed25519 private key of a 32-byte seed (samples for `gangway
    /// simulate` and tests; the gateway itself only verifies).
    /// - Returns: the 64-byte signature, or nil when the seed is not 32 bytes.
    public static func signEd25519(seed: [UInt8], message: some DataProtocol) -> [UInt8]? {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed),
            let signature = try? key.signature(for: Array(message))
        else { return nil }
        return Array(signature)
    }

    /// The raw 32-byte Ed25519 public key of a 32-byte seed; nil when the seed is not 32 bytes.
    public static func ed25519PublicKey(seed: [UInt8]) -> [UInt8]? {
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)).map { Array($0.publicKey.rawRepresentation) }
    }
}
