import Testing

/// Output of Tests/e2e/sdk_vectors_webhook.py (standardwebhooks 1.1.0 `Webhook.sign`), secret
/// `whsec_dGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmchISE=`, timestamp 1764064800.
enum WebhookSDKVectors {
    static let secret = "whsec_dGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmchISE="

    struct Vector: Sendable, CustomTestStringConvertible {
        var sample: String
        var id: String
        var timestamp: String
        var signature: String
        var testDescription: String { sample }
    }

    static let all: [Vector] = [
        Vector(sample: "text.json", id: "msg_gangway_0000", timestamp: "1764064800", signature: "v1,1xVSZTBfgOq1Pqt+VCDpon+MT21GSulU3DcMIIVyVcE="),
        Vector(sample: "media.json", id: "msg_gangway_0001", timestamp: "1764064800", signature: "v1,Lo0rFHAGYBGFZ/7Bclsx67XqJIB/DfhsUf/jzE3O+vE="),
        Vector(sample: "event-read.json", id: "msg_gangway_0002", timestamp: "1764064800", signature: "v1,9cb/roWibJ6tCBhkNF7WwPdhAHW4DVs5XiSzSqQJ+2Q="),
    ]
}
