import Foundation
import GangwayCore

/// Vonage Messages API (SMS, MMS, WhatsApp, Messenger, Viber, RCS, Instagram) with signed
/// webhooks: inbound messages and message statuses. See README.md beside this file.
struct VonageAdapter: ChannelAdapter {
    let signatureSecret: String

    init(channel: ChannelConfiguration) {
        signatureSecret = channel.secret(ConfigKeys.signatureSecret)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try VonageSignedWebhook.verify(request, signatureSecret: signatureSecret, payload: request.body)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject else { throw .badRequest("not a Vonage webhook: the body is not a JSON object") }
        guard let uuid = json["message_uuid"]?.idString else { return [] }
        if let status = json["status"]?.string { return statusCall(json, uuid: uuid, status: status).map { [$0] } ?? [] }
        guard let type = json["message_type"]?.string, let from = Self.address(json["from"]) else { return [] }
        return [messageCall(json, uuid: uuid, type: type, from: from)]
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }

    /// `from` / `to` are strings in Messages API v1, `{type, number | id}` objects in v0.1.
    static func address(_ value: JSONValue?) -> String? {
        value?.idString ?? value?["number"]?.idString ?? value?["id"]?.idString
    }

    // MARK: Inbound messages

    private func messageCall(_ m: JSONValue, uuid: String, type: String, from: String) -> InboundCall {
        let provider = ProviderInfo(name: VonageAdapter.name, recipientId: Self.address(m["to"]))
        let contact = InboundContact(name: m[path: "profile", "name"]?.string).nonEmpty
        var msg = InboundMessage(
            id: uuid, type: .unsupported, timestamp: m["timestamp"]?.string, replyTo: m[path: "context", "message_uuid"]?.string)
        switch type {
        case "text":
            msg.type = .text
            msg.text = m["text"]?.string
        case "image", "audio", "video", "file", "sticker", "vcard":
            let kinds: [String: MessageType] = [
                "image": .image, "audio": .audio, "video": .video, "file": .document, "sticker": .sticker, "vcard": .contact,
            ]
            let media = m[type]
            msg.type = kinds[type] ?? .document
            msg.media = [InboundMessage.Media(url: media?["url"]?.string, caption: media?["caption"]?.string, filename: media?["name"]?.string)]
            msg.text = media?["caption"]?.string
        case "location":
            if let lat = m[path: "location", "lat"]?.double, let lon = m[path: "location", "long"]?.double {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, name: m[path: "location", "name"]?.string, address: m[path: "location", "address"]?.string)
            }
        case "reply":
            msg.type = .postback
            msg.payload = m[path: "reply", "id"]?.idString
            msg.text = m[path: "reply", "title"]?.string
        case "button":
            msg.type = .postback
            msg.payload = m[path: "button", "payload"]?.string ?? m[path: "button", "text"]?.string
            msg.text = m[path: "button", "text"]?.string
        case "reaction":
            msg.type = .text
            msg.text = m[path: "reaction", "emoji"]?.string
            let action = m[path: "reaction", "action"]?.string ?? "react"
            return .event(
                .messageReaction, key: uuid, providerId: from, message: msg, contact: contact,
                provider: ProviderInfo(name: VonageAdapter.name, recipientId: provider.recipientId, event: action == "unreact" ? "unreact" : "reaction"))
        default:
            break  // order, unsupported, custom ...: passed on as `unsupported`
        }
        return .handle(key: uuid, providerId: from, message: msg, contact: contact, provider: provider)
    }

    // MARK: Message statuses

    private func statusCall(_ s: JSONValue, uuid: String, status: String) -> InboundCall? {
        let name: EventName
        switch status {
        case "delivered": name = .messageDelivered
        case "read": name = .userSeenMessage
        case "rejected", "undeliverable", "failed": name = .messageFailed
        default: return nil  // submitted and anything new: nothing for the chatbot
        }
        // A status is about a message we sent: the user is `to`.
        guard let user = Self.address(s["to"]) else { return nil }
        let error = s[path: "error", "detail"]?.string ?? s[path: "error", "title"]?.string
        return .event(
            name, key: "\(uuid):\(status)", providerId: user,
            message: InboundMessage(id: uuid, type: .unsupported, text: name == .messageFailed ? error : nil, timestamp: s["timestamp"]?.string),
            provider: ProviderInfo(name: VonageAdapter.name, recipientId: Self.address(s["from"]), event: status))
    }
}

extension VonageAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let signatureSecret: ConfigKey = "signatureSecret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "vonage"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.signatureSecret],
        makeAdapter: { VonageAdapter(channel: $0) },
        signSample: { request, channel in
            VonageSignedWebhook.sign(&request, signatureSecret: channel.secret(ConfigKeys.signatureSecret), payload: request.body)
        })
}
