import Testing

/// Output of Tests/e2e/sdk_vectors_slack.py (slack_sdk 3.48.0 SignatureVerifier), secret
/// `gangway-slack-signing-secret`, timestamp 1764064800.
enum SlackSDKVectors {
    struct Vector: Sendable, CustomTestStringConvertible {
        var sample: String
        var timestamp: String
        var signature: String
        var testDescription: String { sample }
    }

    static let all: [Vector] = [
        Vector(sample: "text.json", timestamp: "1764064800", signature: "v0=849a9b7c5c2cf892f7f9b1c06aeb9e6659db89ffdaee8f8a58b7cfdfd4326301"),
        Vector(sample: "slash-command.form", timestamp: "1764064800", signature: "v0=19148484007bc560c87addc5fef093dcc2b0d5975e4369439fd67b649d956998"),
        Vector(sample: "url-verification.json", timestamp: "1764064800", signature: "v0=427e9651d582f4a4043f47a03ce5f74cb18267902760d072c01e2f908a9748c7"),
    ]
}
