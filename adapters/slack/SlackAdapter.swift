import Foundation
import GangwayCore

/// Slack Events API, plus slash commands and interactivity (same signature, form bodies).
/// See README.md beside this file for what maps to what.
struct SlackAdapter: ChannelAdapter {
    static let signatureHeader = "x-slack-signature"
    static let timestampHeader = "x-slack-request-timestamp"

    let signingSecret: String
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        signingSecret = channel.secret(ConfigKeys.signingSecret)
        tolerance = channel.replayToleranceSeconds
    }

    /// `url_verification`, sent when the Request URL is saved. It is signed like any event, so
    /// the signature is checked before the challenge is echoed.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "POST", request.body.first == UInt8(ascii: "{"), let json = try? JSONValue.parse(request.body),
            json["type"]?.string == "url_verification"
        else { return nil }
        try verify(request)
        guard let challenge = json["challenge"]?.string else { throw .badRequest("url_verification without challenge") }
        return .ok(challenge)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.signatureHeader, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.signatureHeader] else {
            throw .unauthorized("missing X-Slack-Signature header", diagnosis: diagnosis)
        }
        let timestamp = request.headers[Self.timestampHeader]
        try Signatures.checkTimestamp(timestamp, header: Self.timestampHeader, now: request.receivedAt, tolerance: tolerance)
        guard given.hasPrefix("v0="), let givenBytes = Signatures.fromHex(given.dropFirst(3)) else {
            throw .unauthorized("X-Slack-Signature is not v0=<hex> (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(givenBytes, Self.signature(secret: signingSecret, timestamp: timestamp ?? "", body: request.body)) else {
            throw .unauthorized("X-Slack-Signature does not match (wrong signingSecret or altered body)", diagnosis: diagnosis)
        }
    }

    /// HMAC-SHA256 with the signing secret over `v0:<timestamp>:<raw body>`.
    static func signature(secret: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        Signatures.hmac(.sha256, key: secret, message: Array("v0:\(timestamp):".utf8) + body)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        if request.body.first == UInt8(ascii: "{") {
            return try SlackEvents.calls(request.jsonBody())
        }
        let form = try request.formBody()
        if let payload = form[field: "payload"] {
            guard let json = try? JSONValue.parse(Array(payload.utf8)) else { throw .badRequest("payload is not JSON") }
            return SlackEvents.interaction(json)
        }
        if form[field: "command"] != nil { return SlackEvents.slashCommand(form) }
        throw .badRequest("neither an event, a slash command nor an interaction")
    }
}

extension SlackAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let signingSecret: ConfigKey = "signingSecret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "slack"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.signingSecret], settings: [.toleranceSeconds],
        makeAdapter: { SlackAdapter(channel: $0) },
        signSample: { request, channel in
            let timestamp = String(UnixTime.seconds(of: request.now))
            let mac = signature(secret: channel.secret(ConfigKeys.signingSecret), timestamp: timestamp, body: request.body)
            request.headers.append(("X-Slack-Request-Timestamp", timestamp))
            request.headers.append(("X-Slack-Signature", "v0=" + Signatures.hex(mac)))
        })
}
