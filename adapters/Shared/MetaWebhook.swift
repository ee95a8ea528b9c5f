import Foundation
import GangwayCore

/// The transport Meta's webhooks share (WhatsApp, Messenger, Instagram): the
/// `hub.challenge` handshake and the `X-Hub-Signature-256` HMAC over the raw body.
enum MetaWebhook {
    static func handshake(_ request: InboundRequest, verifyToken: String) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "GET" else { return nil }
        guard request.queryValue("hub.mode") == "subscribe", let challenge = request.queryValue("hub.challenge") else {
            throw .badRequest("GET without hub.mode=subscribe and hub.challenge")
        }
        guard let token = request.queryValue("hub.verify_token"), Signatures.constantTimeEquals(token, verifyToken) else {
            throw .forbidden("hub.verify_token does not match verifyToken")
        }
        return .ok(challenge)
    }

    /// Checks `X-Hub-Signature-256` with the channel's key (built once per channel, not per request).
    static func verifySignature(_ request: InboundRequest, key: HMACKey) throws(AdapterError) {
        let header = "x-hub-signature-256"
        func diagnosis() -> [String: String] { ["header": header, "bodyBytes": String(request.body.count)] }
        guard let value = request.headers[header] else {
            throw .unauthorized("missing X-Hub-Signature-256 header", diagnosis: diagnosis())
        }
        guard value.hasPrefix("sha256="), let given = Signatures.fromHex(value.dropFirst(7)) else {
            throw .unauthorized("X-Hub-Signature-256 is not sha256=<hex>", diagnosis: diagnosis())
        }
        let expected = Signatures.hmac(.sha256, key: key, message: request.body)
        guard Signatures.constantTimeEquals(given, expected) else {
            throw .unauthorized("X-Hub-Signature-256 does not match the body (wrong appSecret or altered body)", diagnosis: diagnosis())
        }
    }

    static func sign(_ request: inout SampleRequest, appSecret: String) {
        let mac = Signatures.hmac(.sha256, key: appSecret, message: request.body)
        request.headers.append(("X-Hub-Signature-256", "sha256=" + Signatures.hex(mac)))
    }
}

/// A Meta webhook channel (WhatsApp, Messenger, Instagram): Meta's handshake, signature and answer
/// around the provider's own payload mapping.
struct MetaChannelAdapter: ChannelAdapter {
    typealias Normalizer = @Sendable (InboundRequest) throws(AdapterError) -> [InboundCall]

    let appSecret: String
    let verifyToken: String
    let normalizer: Normalizer
    private let key: HMACKey

    init(channel: ChannelConfiguration, normalize: @escaping Normalizer) {
        appSecret = channel.secret(MetaChannelAdapter.ConfigKeys.appSecret)
        verifyToken = channel.secret(MetaChannelAdapter.ConfigKeys.verifyToken)
        normalizer = normalize
        key = HMACKey(appSecret)
    }

    /// The Meta family's methods: GET for the `hub.challenge` handshake, POST for events.
    static let methods: Set<String> = ["GET", "POST"]
    var methods: Set<String> { Self.methods }

    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        try MetaWebhook.handshake(request, verifyToken: verifyToken)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try MetaWebhook.verifySignature(request, key: key)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        try normalizer(request)
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok("EVENT_RECEIVED") }

    /// The secrets of every Meta provider, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let appSecret: ConfigKey = "appSecret"
        static let verifyToken: ConfigKey = "verifyToken"
    }

    /// The descriptor of a Meta provider: both secrets, Meta's signature for samples.
    static func descriptor(name: String, normalize: @escaping Normalizer) -> ProviderDescriptor {
        ProviderDescriptor(
            name: name, requiredSecrets: [ConfigKeys.appSecret, ConfigKeys.verifyToken], methods: methods,
            makeAdapter: { MetaChannelAdapter(channel: $0, normalize: normalize) },
            signSample: { request, channel in MetaWebhook.sign(&request, appSecret: channel.secret(MetaChannelAdapter.ConfigKeys.appSecret)) })
    }
}
