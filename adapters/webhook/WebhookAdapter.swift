import Foundation
import GangwayCore

/// Any sender that signs with Standard Webhooks and speaks Gangway's own JSON:
/// `{"providerId", "callee"?, "message" | "event", "contact"?}`. See README.md beside this file.
struct WebhookAdapter: ChannelAdapter {
    static let events: Set<String> = [
        "user_seen_message", "message_delivered", "message_failed", "user_typing", "message_reaction", "conversation_started",
        "user_unsubscribed", "call_started", "call_ended",
    ]

    let key: [UInt8]
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        key = StandardWebhooks.key(fromSecret: channel.secret(ConfigKeys.secret))
        tolerance = channel.replayToleranceSeconds
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try StandardWebhooks.verify(request, key: key, tolerance: tolerance)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject else { throw .badRequest("expected a JSON object") }
        // Verified requests always carry webhook-id; in `verification: report` mode one without it
        // is keyed by a hash of its bytes, as DESIGN.md says for providers without an id.
        let id = request.headers["webhook-id"] ?? request.headers["svix-id"] ?? "sha256:" + Signatures.hex(Signatures.sha256(request.body))
        guard let providerId = json["providerId"]?.idString, !providerId.isEmpty else { throw .badRequest("missing providerId") }
        let message: InboundMessage? = try json["message"].map { value throws(AdapterError) in try decode(value, as: InboundMessage.self, "message") }
        let contact = try json["contact"].map { value throws(AdapterError) in try decode(value, as: InboundContact.self, "contact") }?.nonEmpty
        let callee = json["callee"]?.idString
        if let event = json["event"] {
            guard let name = event.string else { throw .badRequest("event is not a string") }
            guard Self.events.contains(name) else { return [] }  // a name this gateway does not know: ignored
            return [
                .event(
                    EventName(rawValue: name), key: id, providerId: providerId, message: message, contact: contact,
                    provider: ProviderInfo(name: WebhookAdapter.name, event: name), callee: callee)
            ]
        }
        guard let message else { throw .badRequest("neither message nor event") }
        return [.handle(key: id, providerId: providerId, message: message, contact: contact, provider: ProviderInfo(name: WebhookAdapter.name), callee: callee)]
    }

    private func decode<T: Decodable>(_ value: JSONValue, as type: T.Type, _ field: String) throws(AdapterError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(value.serialized().utf8))
        } catch {
            throw .badRequest("\(field) does not have the envelope's shape (\(field == "message" ? "type is required" : "strings only"))")
        }
    }
}

extension WebhookAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let secret: ConfigKey = "secret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "webhook"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.secret], settings: [.toleranceSeconds],
        makeAdapter: { WebhookAdapter(channel: $0) },
        signSample: { request, channel in StandardWebhooks.sign(&request, key: StandardWebhooks.key(fromSecret: channel.secret(ConfigKeys.secret))) })
}
