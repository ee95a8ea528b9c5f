import Foundation
import GangwayCore

/// Telegram Bot API. See README.md beside this file for what maps to what.
struct TelegramAdapter: ChannelAdapter {
    static let header = "x-telegram-bot-api-secret-token"
    let secretToken: String

    init(channel: ChannelConfiguration) {
        secretToken = channel.secret(ConfigKeys.secretToken)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.header, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.header] else {
            throw .unauthorized("missing X-Telegram-Bot-Api-Secret-Token header (was setWebhook called with secret_token?)", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(given, secretToken) else {
            throw .unauthorized("X-Telegram-Bot-Api-Secret-Token does not match secretToken", diagnosis: diagnosis)
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let update = try request.jsonBody()
        guard let updateID = update["update_id"]?.idString else { throw .badRequest("not a Telegram Update: no update_id") }
        for (field, event) in [
            ("message", "message"), ("edited_message", "edited_message"), ("channel_post", "channel_post"),
            ("edited_channel_post", "edited_channel_post"), ("business_message", "business_message"),
        ] {
            if let m = update[field] { return messageCall(m, key: updateID, event: event).map { [$0] } ?? [] }
        }
        if let q = update["callback_query"] {
            guard let chat = (q[path: "message", "chat", "id"] ?? q[path: "from", "id"])?.idString else { return [] }
            let msg = InboundMessage(
                id: q["id"]?.idString, type: .postback, text: q["data"]?.string, payload: q["data"]?.string,
                replyTo: q[path: "message", "message_id"]?.idString)
            return [
                .handle(
                    key: updateID, providerId: chat, message: msg, contact: contact(q["from"]),
                    provider: ProviderInfo(name: TelegramAdapter.name, event: "callback_query"))
            ]
        }
        if let member = update["my_chat_member"], member[path: "new_chat_member", "status"]?.string == "kicked",
            let chat = member[path: "chat", "id"]?.idString
        {
            return [
                .event(
                    .userUnsubscribed, key: updateID, providerId: chat, contact: contact(member["from"]),
                    provider: ProviderInfo(name: TelegramAdapter.name, event: "kicked"))
            ]
        }
        return []
    }

    private func contact(_ from: JSONValue?) -> InboundContact? {
        guard let from else { return nil }
        let name = [from["first_name"]?.string, from["last_name"]?.string].compactMap { $0 }.joined(separator: " ")
        return InboundContact(
            name: name.isEmpty ? nil : name, username: from["username"]?.string, locale: from["language_code"]?.string
        ).nonEmpty
    }

    private func messageCall(_ m: JSONValue, key: String, event: String) -> InboundCall? {
        guard let chat = m[path: "chat", "id"]?.idString else { return nil }
        var msg = InboundMessage(
            id: m["message_id"]?.idString, type: .unsupported, timestamp: Timestamps.iso8601(unixSeconds: m["date"]?.idString),
            replyTo: m[path: "reply_to_message", "message_id"]?.idString)
        let caption = m["caption"]?.string
        func media(_ v: JSONValue?, _ type: MessageType) {
            msg.type = type
            msg.text = caption
            msg.media = [
                InboundMessage.Media(id: v?["file_id"]?.string, mimeType: v?["mime_type"]?.string, caption: caption, filename: v?["file_name"]?.string)
            ]
        }
        if let text = m["text"]?.string {
            msg.type = .text
            msg.text = text
        } else if let sizes = m["photo"]?.array, let largest = sizes.last {
            media(largest, .image)
        } else if let v = m["voice"] ?? m["audio"] {
            media(v, .audio)
        } else if let v = m["video"] ?? m["video_note"] ?? m["animation"] {
            media(v, .video)
        } else if let v = m["document"] {
            media(v, .document)
        } else if let v = m["sticker"] {
            media(v, .sticker)
            msg.text = v["emoji"]?.string
        } else if let loc = m["location"], let lat = loc["latitude"]?.double, let lon = loc["longitude"]?.double {
            msg.type = .location
            msg.location = .init(latitude: lat, longitude: lon, name: m[path: "venue", "title"]?.string, address: m[path: "venue", "address"]?.string)
        } else if let c = m["contact"] {
            msg.type = .contact
            let name = [c["first_name"]?.string, c["last_name"]?.string].compactMap { $0 }.joined(separator: " ")
            msg.contacts = [.init(name: name.isEmpty ? nil : name, phones: c["phone_number"]?.string.map { [$0] })]
        }
        return .handle(
            key: key, providerId: chat, message: msg, contact: contact(m["from"] ?? m["sender_chat"]),
            provider: ProviderInfo(name: TelegramAdapter.name, event: event))
    }
}

extension TelegramAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let secretToken: ConfigKey = "secretToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "telegram"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.secretToken],
        makeAdapter: { TelegramAdapter(channel: $0) },
        signSample: { request, channel in request.headers.append(("X-Telegram-Bot-Api-Secret-Token", channel.secret(ConfigKeys.secretToken))) })
}
