import Foundation
import GangwayCore

/// Instagram messaging (Meta Graph webhooks, `object: "instagram"`, some Facebook-Login flows
/// send `page`). See README.md beside this file.
struct InstagramAdapter: ChannelAdapter {
    let appSecret: String
    let verifyToken: String

    init(channel: ChannelConfiguration) {
        appSecret = channel.secret("appSecret")
        verifyToken = channel.secret("verifyToken")
    }

    var methods: Set<String> { ["GET", "POST"] }

    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        try MetaWebhook.handshake(request, verifyToken: verifyToken)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try MetaWebhook.verifySignature(request, appSecret: appSecret)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        try MetaMessaging.normalize(request, objects: ["instagram", "page"], provider: "instagram")
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok("EVENT_RECEIVED") }
}

extension InstagramAdapter {
    static let descriptor = ProviderDescriptor(
        name: "instagram", requiredSecrets: ["appSecret", "verifyToken"],
        makeAdapter: { InstagramAdapter(channel: $0) },
        signSample: { request, channel in MetaWebhook.sign(&request, appSecret: channel.secret("appSecret")) })
}
