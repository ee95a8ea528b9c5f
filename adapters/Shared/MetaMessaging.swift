import Foundation
import GangwayCore

/// The `entry[].messaging[]` payload that Messenger and Instagram share: one event object per
/// messaging item, told apart by the key it carries (`message`, `postback`, `delivery`, `read`,
/// `reaction`, `referral`). Items are mapped in the provider's order; echoes, deleted messages,
/// `standby[]` (another app owns the thread) and unknown kinds map to nothing.
enum MetaMessaging {
    /// - Parameters:
    ///   - objects: the `object` values this provider sends (`page`; `instagram` and `page`).
    ///   - provider: the config name that goes into `provider.name`.
    static func normalize(_ request: InboundRequest, objects: Set<String>, provider: String) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject else { throw .badRequest("not a Meta webhook notification: the body is not an object") }
        guard let object = json["object"]?.string, objects.contains(object) else { return [] }
        var calls: [InboundCall] = []
        for entry in json["entry"]?.items ?? [] {
            for item in entry["messaging"]?.items ?? [] {
                if let call = call(for: item, provider: provider) { calls.append(call) }
            }
        }
        return calls
    }

    private static func call(for item: JSONValue, provider name: String) -> InboundCall? {
        guard let sender = item[path: "sender", "id"]?.idString else { return nil }
        let recipient = item[path: "recipient", "id"]?.idString
        let timestamp = item["timestamp"]?.idString
        let iso = Timestamps.iso8601(unixMilliseconds: timestamp)
        func provider(_ event: String? = nil) -> ProviderInfo { ProviderInfo(name: name, recipientId: recipient, event: event) }

        if let m = item["message"] {
            // Echoes are the page's own messages (sender = page): answering them would loop.
            guard m["is_echo"]?.bool != true, m["is_deleted"]?.bool != true, let mid = m["mid"]?.idString else { return nil }
            return .handle(key: mid, providerId: sender, message: message(m, id: mid, timestamp: iso), provider: provider())
        }
        if let p = item["postback"] {
            let msg = InboundMessage(
                id: p["mid"]?.idString, type: .postback, text: p["title"]?.string, timestamp: iso, payload: p["payload"]?.string)
            let key = p["mid"]?.idString ?? "\(sender):\(timestamp ?? "0"):postback"
            return .handle(key: key, providerId: sender, message: msg, provider: provider("postback"))
        }
        if let d = item["delivery"] {
            let mids = (d["mids"]?.items ?? []).compactMap(\.idString)
            guard let mark = d["watermark"]?.idString ?? mids.first else { return nil }
            let msg = InboundMessage(id: mids.first, type: .unsupported, timestamp: Timestamps.iso8601(unixMilliseconds: d["watermark"]?.idString))
            return .event(.messageDelivered, key: "\(sender):\(mark):delivered", providerId: sender, message: msg, provider: provider("delivery"))
        }
        if let r = item["read"] {
            // Messenger sends a watermark (everything before it is read), Instagram the read mid.
            guard let mark = r["watermark"]?.idString ?? r["mid"]?.idString else { return nil }
            let msg = InboundMessage(
                id: r["mid"]?.idString, type: .unsupported, timestamp: Timestamps.iso8601(unixMilliseconds: r["watermark"]?.idString) ?? iso)
            return .event(.userSeenMessage, key: "\(sender):\(mark):read", providerId: sender, message: msg, provider: provider("read"))
        }
        if let r = item["reaction"], let mid = r["mid"]?.idString {
            let action = r["action"]?.string ?? "react"
            let msg = InboundMessage(type: .text, text: r["emoji"]?.string, timestamp: iso, payload: r["reaction"]?.string, replyTo: mid)
            return .event(
                .messageReaction, key: "\(mid):\(action):\(sender):\(timestamp ?? "0")", providerId: sender, message: msg,
                provider: provider(action))
        }
        if let ref = item["referral"] {
            // A user who opens the thread from an m.me link, ad or QR code with a `ref`.
            let msg = InboundMessage(type: .postback, timestamp: iso, payload: ref["ref"]?.string)
            return .event(
                .conversationStarted, key: "\(sender):\(timestamp ?? "0"):referral", providerId: sender, message: msg,
                provider: provider("referral"))
        }
        return nil  // optin, account_linking, message_edit, handover ...: nothing for the chatbot
    }

    private static func message(_ m: JSONValue, id: String, timestamp: String?) -> InboundMessage {
        var msg = InboundMessage(id: id, type: .text, text: m["text"]?.string, timestamp: timestamp, replyTo: m[path: "reply_to", "mid"]?.idString)
        if let story = m[path: "reply_to", "story", "id"]?.idString { msg.replyTo = story }
        if let payload = m[path: "quick_reply", "payload"]?.string {
            msg.type = .postback
            msg.payload = payload
            return msg
        }
        let attachments = m["attachments"]?.items ?? []
        guard let first = attachments.first else {
            if msg.text == nil { msg.type = .unsupported }
            return msg
        }
        if first["type"]?.string == "location" {
            let coordinates = first[path: "payload", "coordinates"]
            if let lat = coordinates?["lat"]?.double, let lon = coordinates?["long"]?.double {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, name: first["title"]?.string)
                return msg
            }
        }
        msg.type = messageType(first)
        msg.media = attachments.compactMap { a -> InboundMessage.Media? in
            guard let url = a[path: "payload", "url"]?.string else { return nil }
            return InboundMessage.Media(id: a[path: "payload", "attachment_id"]?.idString, url: url, caption: a["title"]?.string)
        }
        if msg.media?.isEmpty == true { msg.media = nil }
        return msg
    }

    private static func messageType(_ attachment: JSONValue) -> MessageType {
        if attachment[path: "payload", "sticker_id"] != nil { return .sticker }
        switch attachment["type"]?.string {
        case "image", "animated_image": return .image
        case "audio": return .audio
        case "video", "ig_reel", "reel": return .video
        case "file": return .document
        case "sticker": return .sticker
        default: return .unsupported  // fallback, share, story_mention, template ...
        }
    }
}
