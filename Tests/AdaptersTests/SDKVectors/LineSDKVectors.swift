import Testing

/// Output of Tests/e2e/sdk_vectors_line.py (line-bot-sdk 3.27.0 SignatureValidator and WebhookParser).
enum LineSDKVectors {
    struct Vector: Sendable, CustomTestStringConvertible {
        var sample: String
        var secret: String
        var signature: String
        var testDescription: String { sample }
    }

    static let all: [Vector] = [
        Vector(sample: "text.json", secret: "gangway-line-channel-secret", signature: "kUZiuflp3ct9WdAkrMqkfFKuLI9s5Xo7RyYj3rF3450="),
        Vector(sample: "batch.json", secret: "gangway-line-channel-secret", signature: "7X2FWZXr+y1tk0GcFh8G/gx1AuEBedzGYxkPVUVV4R4="),
        Vector(sample: "follow-unfollow.json", secret: "gangway-line-channel-secret", signature: "ZSTrULS7NtlUmrZx36m6rmdYQVqddSFK9AWEaYDWtBo="),
    ]
}
