import Testing

/// Output of Tests/e2e/sdk_vectors_discord.py (PyNaCl 1.6.2 signs, discord-interactions 0.4.0
/// `verify_key` checks), seed 0x00...0x1f, timestamp 1764064800.
enum DiscordSDKVectors {
    static let publicKey = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"

    struct Vector: Sendable, CustomTestStringConvertible {
        var sample: String
        var timestamp: String
        var signature: String
        var testDescription: String { sample }
    }

    static let all: [Vector] = [
        Vector(
            sample: "ping.json", timestamp: "1764064800",
            signature: "3c3658bb96e31e9c89ab0a3dbf0523615c88c6a01a79065a8d7e62b85733e51d322da3b6c76d8a28f6bb678737fda8e8d476cdffb537655ac9805a74bba36f02"),
        Vector(
            sample: "text.json", timestamp: "1764064800",
            signature: "ca221c3a563f9882967ab2f7f6372dd992a0f9ece011de621c158d94186e1e8047646e7c65dab9b55a2aa7ba4b6d07e62ce71bde22a13f1224552c20973b500c"),
        Vector(
            sample: "button.json", timestamp: "1764064800",
            signature: "e5d629cc9c2845eaffe7e1ec7814962cfacb1eb50944a90637c6e965d20a05394682d4d9c169ba9de57efd9c666b4e8555a6b152cc4763a13b286bea39d63302"),
        Vector(
            sample: "modal.json", timestamp: "1764064800",
            signature: "236d03ef90480242d8c419b336afb429ed196ac7a35c8800a354b3ab7bba829e757b91af73f97eac5089bf35ec313e6ac124f15e786cde7e911bd8a3fa8a8e01"),
    ]
}
