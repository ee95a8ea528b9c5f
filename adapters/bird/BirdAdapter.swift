import Foundation
import GangwayCore

/// Bird (formerly MessageBird). Every scheme Bird has used is accepted, told apart by its
/// headers, all keyed by the one `signingKey`. See README.md beside this file.
struct BirdAdapter: ChannelAdapter {
    let signingKey: String
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        signingKey = channel.secret(ConfigKeys.signingKey)
        tolerance = channel.replayToleranceSeconds
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        if request.headers[BirdSignature.jwtHeader] != nil {
            try BirdSignature.verifyJWT(request, key: signingKey, tolerance: tolerance)
        } else if request.headers[BirdSignature.signatureHeader] != nil {
            try BirdSignature.verifyHMAC(request, key: signingKey, tolerance: tolerance)
        } else if StandardWebhooks.isPresent(in: request) {
            try StandardWebhooks.verify(request, key: StandardWebhooks.key(fromSecret: signingKey), tolerance: tolerance)
        } else {
            throw .unauthorized(
                "no Bird signature: expected messagebird-signature, webhook-signature or MessageBird-Signature-JWT",
                diagnosis: ["header": BirdSignature.signatureHeader, "bodyBytes": String(request.body.count)])
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject else { throw .badRequest("not a Bird webhook: the body is not an object") }
        if let event = json["event"]?.string, let payload = json["payload"] {
            return BirdPayloads.channels(event: event, payload: payload)
        }
        if let type = json["type"]?.string, let message = json["message"] {
            return BirdPayloads.conversations(type: type, message: message, contact: json["contact"])
        }
        return []
    }
}

extension BirdAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let signingKey: ConfigKey = "signingKey"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "bird"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.signingKey], settings: [.toleranceSeconds], signatureCoversURL: true,
        makeAdapter: { BirdAdapter(channel: $0) },
        signSample: { request, channel in
            let timestamp = String(UnixTime.seconds(of: request.now))
            let mac = BirdSignature.signature(key: channel.secret(ConfigKeys.signingKey), timestamp: timestamp, url: request.url, body: request.body)
            request.headers.append(("messagebird-request-timestamp", timestamp))
            request.headers.append(("messagebird-signature", Signatures.base64(mac)))
        })
}
