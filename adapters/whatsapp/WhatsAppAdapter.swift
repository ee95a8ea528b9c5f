import Foundation
import GangwayCore

/// WhatsApp Cloud API (Meta). See README.md beside this file for what maps to what.
/// Transport (handshake, signature, answer) is Meta's, in `Shared/MetaWebhook.swift`.
struct WhatsAppAdapter {
    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json["object"]?.string == "whatsapp_business_account" else { return [] }
        var calls: [InboundCall] = []
        for entry in json["entry"]?.items ?? [] {
            for change in entry["changes"]?.items ?? [] where change["field"]?.string == "messages" {
                guard let value = change["value"] else { continue }
                let phoneNumberID = value[path: "metadata", "phone_number_id"]?.idString
                let names = Dictionary(
                    (value["contacts"]?.items ?? []).compactMap { c -> (String, String)? in
                        guard let id = c["wa_id"]?.idString, let name = c[path: "profile", "name"]?.string else { return nil }
                        return (id, name)
                    }, uniquingKeysWith: { first, _ in first })
                for message in value["messages"]?.items ?? [] {
                    if let call = messageCall(message, names: names, recipient: phoneNumberID) { calls.append(call) }
                }
                for status in value["statuses"]?.items ?? [] {
                    if let call = statusCall(status, recipient: phoneNumberID) { calls.append(call) }
                }
            }
        }
        return calls
    }

    // MARK: Messages

    private func messageCall(_ m: JSONValue, names: [String: String], recipient: String?) -> InboundCall? {
        guard let id = m["id"]?.idString, let from = m["from"]?.idString, let type = m["type"]?.string else { return nil }
        let contact = InboundContact(name: names[from], phone: from).nonEmpty
        let provider = ProviderInfo(name: WhatsAppAdapter.name, recipientId: recipient)
        var msg = InboundMessage(
            id: id, type: .unsupported, timestamp: Timestamps.iso8601(unixSeconds: m["timestamp"]?.idString),
            replyTo: m[path: "context", "id"]?.string)
        switch type {
        case "text":
            msg.type = .text
            msg.text = m[path: "text", "body"]?.string
        case "image", "audio", "video", "document", "sticker":
            msg.type = MessageType(rawValue: type)
            let media = m[type]
            msg.media = [
                InboundMessage.Media(
                    id: media?["id"]?.idString, mimeType: media?["mime_type"]?.string, caption: media?["caption"]?.string,
                    filename: media?["filename"]?.string)
            ]
            msg.text = media?["caption"]?.string
        case "location":
            msg.type = .location
            if let lat = m[path: "location", "latitude"]?.double, let lon = m[path: "location", "longitude"]?.double {
                msg.location = .init(
                    latitude: lat, longitude: lon, name: m[path: "location", "name"]?.string, address: m[path: "location", "address"]?.string)
            }
        case "contacts":
            msg.type = .contact
            msg.contacts = (m["contacts"]?.items ?? []).map { c in
                InboundMessage.SharedContact(
                    name: c[path: "name", "formatted_name"]?.string,
                    phones: (c["phones"]?.items ?? []).compactMap { $0["phone"]?.string })
            }
        case "interactive":
            msg.type = .postback
            let reply = m[path: "interactive", "button_reply"] ?? m[path: "interactive", "list_reply"]
            msg.payload = reply?["id"]?.idString
            msg.text = reply?["title"]?.string
        case "button":
            msg.type = .postback
            msg.payload = m[path: "button", "payload"]?.string
            msg.text = m[path: "button", "text"]?.string
        case "reaction":
            var reaction = msg
            reaction.type = .text
            reaction.text = m[path: "reaction", "emoji"]?.string
            reaction.replyTo = m[path: "reaction", "message_id"]?.string
            return .event(
                .messageReaction, key: id, providerId: from, message: reaction, contact: contact,
                provider: ProviderInfo(name: WhatsAppAdapter.name, recipientId: recipient, event: "reaction"))
        default:
            msg.type = .unsupported
        }
        return .handle(key: id, providerId: from, message: msg, contact: contact, provider: provider)
    }

    // MARK: Statuses

    private func statusCall(_ s: JSONValue, recipient: String?) -> InboundCall? {
        guard let id = s["id"]?.idString, let status = s["status"]?.string, let to = s["recipient_id"]?.idString else { return nil }
        let name: EventName
        switch status {
        case "delivered": name = .messageDelivered
        case "read": name = .userSeenMessage
        case "failed": name = .messageFailed
        default: return nil  // `sent` and anything new: nothing for the chatbot
        }
        let msg = InboundMessage(
            id: id, type: .unsupported, text: s["errors"]?[0]?["title"]?.string,
            timestamp: Timestamps.iso8601(unixSeconds: s["timestamp"]?.idString))
        return .event(
            name, key: "\(id):\(status)", providerId: to, message: msg,
            provider: ProviderInfo(name: WhatsAppAdapter.name, recipientId: recipient, event: status))
    }
}

extension WhatsAppAdapter {
    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "whatsapp"
    static let descriptor = MetaChannelAdapter.descriptor(name: name) { request throws(AdapterError) in
        try WhatsAppAdapter().normalize(request)
    }
}
