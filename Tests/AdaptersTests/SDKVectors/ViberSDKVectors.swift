import Testing

/// Output of Tests/e2e/sdk_vectors_viber.py (viberbot 1.0.12 `Api._calculate_message_signature`).
enum ViberSDKVectors {
    static let authToken = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51r"

    struct Vector: Sendable, CustomTestStringConvertible {
        var sample: String
        var signature: String
        var testDescription: String { sample }
    }

    static let all: [Vector] = [
        Vector(sample: "text.json", signature: "d0cf4e47a2cd32f889cd4f496581f4275c7af7a5a4ebd2c25cf8cb0a08954999"),
        Vector(sample: "picture.json", signature: "1314598d7880b6bfe24d20e6fdb3902c447ba0f2feb1b0e663ad9bed39fa9f07"),
        Vector(sample: "receipts-seen.json", signature: "6b5f5f8a62d9369205bd33bc5b29bf898d9c7f368149de6afae8abf9f3b57e3d"),
        Vector(sample: "webhook.json", signature: "b269e76f1a91ec8deed7a79fa1010e89929bcbcb41c48b70372c2e5490dee5de"),
    ]
}
