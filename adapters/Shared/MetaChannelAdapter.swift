import Foundation
import GangwayCore

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
