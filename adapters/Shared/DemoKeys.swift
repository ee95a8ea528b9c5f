import Foundation
import GangwayCore

/// Keys that `gangway simulate` signs with when a provider signs with its own private key
/// (Ed25519, RS256) and the channel only holds the public half.
///
/// These are published test keys, never secrets: a channel configured with the demo public
/// key accepts anything anyone signs with them. Use them in the demo config only.
enum DemoKeys {
    /// Ed25519 seed 0x00, 0x01, ... 0x1f (the seed of the Telnyx test vector in
    /// reference/providers.md). Its public key, base64: `A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=`.
    static let ed25519Seed: [UInt8] = Array(0...31)
}
