import Foundation
import GangwayCore

/// Facebook Messenger (Meta Graph webhooks, `object: "page"`). See README.md beside this file.
struct MessengerAdapter: ChannelAdapter {
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
        try MetaMessaging.normalize(request, objects: ["page"], provider: "messenger")
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok("EVENT_RECEIVED") }
}

extension MessengerAdapter {
    static let descriptor = ProviderDescriptor(
        name: "messenger", requiredSecrets: ["appSecret", "verifyToken"],
        makeAdapter: { MessengerAdapter(channel: $0) },
        signSample: { request, channel in MetaWebhook.sign(&request, appSecret: channel.secret("appSecret")) })
}
