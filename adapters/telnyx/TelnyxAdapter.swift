import Foundation
import GangwayCore

/// Telnyx Messaging (API v2 webhooks). See README.md beside this file for what maps to what.
struct TelnyxAdapter: ChannelAdapter {
    let publicKey: String
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        publicKey = channel.secret(ConfigKeys.publicKey)
        tolerance = channel.replayToleranceSeconds
    }

    // MARK: Verification

    /// Ed25519 over `timestamp + "|" + raw body` with the account's public key; the timestamp
    /// must be within `toleranceSeconds` of the receive time (``TelnyxSignature``).
    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TelnyxSignature.verify(request, publicKey: publicKey, tolerance: tolerance)
    }

    // MARK: Normalization

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard let data = json["data"], data.isObject else { throw .badRequest("not a Telnyx webhook: no data object") }
        guard let payload = data["payload"], let eventType = data["event_type"]?.string else { return [] }
        switch eventType {
        case "message.received": return messageCall(payload, event: data).map { [$0] } ?? []
        case "message.finalized": return receiptCalls(payload)
        default: return []  // message.sent and anything new: nothing for the chatbot
        }
    }

    private func messageCall(_ p: JSONValue, event: JSONValue) -> InboundCall? {
        guard let id = p["id"]?.idString ?? event["id"]?.idString, let from = p[path: "from", "phone_number"]?.string else { return nil }
        let text = p["text"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        var msg = InboundMessage(
            id: id, type: .text, text: text, timestamp: p["received_at"]?.string ?? event["occurred_at"]?.string)
        let media = (p["media"]?.items ?? []).compactMap { m -> InboundMessage.Media? in
            guard let url = m["url"]?.string else { return nil }
            return InboundMessage.Media(url: url, mimeType: m["content_type"]?.string)
        }
        if !media.isEmpty {
            msg.media = media
            msg.type = MediaKind.messageType(mimeType: media[0].mimeType, url: media[0].url)
        } else if text == nil {
            msg.type = .unsupported
        }
        let ours = p["to"]?[0]?["phone_number"]?.string
        return .handle(
            key: id, providerId: from, message: msg, contact: InboundContact(phone: from),
            provider: ProviderInfo(name: TelnyxAdapter.name, recipientId: ours))
    }

    /// `message.finalized`: one receipt per recipient in `to[]`, keyed `<message id>:<status>`.
    private func receiptCalls(_ p: JSONValue) -> [InboundCall] {
        guard let id = p["id"]?.idString else { return [] }
        let recipients = p["to"]?.items ?? []
        let error = p["errors"]?[0].flatMap { e in e["detail"]?.string ?? e["title"]?.string }
        return recipients.compactMap { to -> InboundCall? in
            guard let user = to["phone_number"]?.string, let status = to["status"]?.string else { return nil }
            let name: EventName
            switch status {
            case "delivered": name = .messageDelivered
            case "delivery_failed", "sending_failed": name = .messageFailed
            default: return nil  // delivery_unconfirmed, sent, ...: nothing certain to tell
            }
            let key = recipients.count > 1 ? "\(id):\(user):\(status)" : "\(id):\(status)"
            let msg = InboundMessage(
                id: id, type: .unsupported, text: name == .messageFailed ? error : nil,
                timestamp: p["completed_at"]?.string)
            return .event(
                name, key: key, providerId: user, message: msg,
                provider: ProviderInfo(name: TelnyxAdapter.name, recipientId: p[path: "from", "phone_number"]?.string, event: status))
        }
    }
}

extension TelnyxAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let publicKey: ConfigKey = "publicKey"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "telnyx"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.publicKey], settings: [.toleranceSeconds],
        makeAdapter: { TelnyxAdapter(channel: $0) },
        signSample: { request, _ in TelnyxSignature.sign(&request) })
}
