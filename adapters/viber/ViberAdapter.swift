import Foundation
import GangwayCore

/// Viber REST bot API. See README.md beside this file for what maps to what.
struct ViberAdapter: ChannelAdapter {
    static let header = "x-viber-content-signature"
    let authToken: String

    init(channel: ChannelConfiguration) {
        authToken = channel.secret(ConfigKeys.authToken)
    }

    /// The `webhook` callback that `set_webhook` triggers: signed, and it must get 200.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "POST", let json = try? JSONValue.parse(request.body), json["event"]?.string == "webhook" else { return nil }
        try verify(request)
        return .ok()
    }

    /// `X-Viber-Content-Signature`: hex HMAC-SHA256 with the bot's auth token over the raw body.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.header, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.header] else {
            throw .unauthorized("missing X-Viber-Content-Signature header", diagnosis: diagnosis)
        }
        guard let givenBytes = Signatures.fromHex(given) else {
            throw .unauthorized("X-Viber-Content-Signature is not hex (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(givenBytes, Signatures.hmac(.sha256, key: authToken, message: request.body)) else {
            throw .unauthorized("X-Viber-Content-Signature does not match (wrong authToken or altered body)", diagnosis: diagnosis)
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject, let event = json["event"]?.string else { throw .badRequest("not a Viber callback: no event") }
        // message_token exceeds 2^53: its digits are kept as written.
        guard let token = json["message_token"]?.idString else { return [] }
        let timestamp = Timestamps.iso8601(unixMilliseconds: json["timestamp"]?.idString)
        let provider = ProviderInfo(name: ViberAdapter.name, event: event)
        switch event {
        case "message":
            guard let sender = json["sender"], let id = sender["id"]?.string, let m = json["message"] else { return [] }
            return [.handle(key: token, providerId: id, message: message(m, id: token, timestamp: timestamp), contact: contact(sender), provider: provider)]
        case "delivered", "seen", "failed":
            guard let user = json["user_id"]?.string else { return [] }
            let name: EventName = event == "delivered" ? .messageDelivered : event == "seen" ? .userSeenMessage : .messageFailed
            let msg = InboundMessage(id: token, type: .unsupported, text: json["desc"]?.string, timestamp: timestamp)
            return [.event(name, key: "\(token):\(event)", providerId: user, message: msg, provider: provider)]
        case "conversation_started", "subscribed":
            guard let user = json["user"], let id = user["id"]?.string else { return [] }
            let msg = InboundMessage(type: .postback, timestamp: timestamp, payload: json["context"]?.string)
            return [.event(.conversationStarted, key: "\(token):\(event)", providerId: id, message: msg, contact: contact(user), provider: provider)]
        case "unsubscribed":
            guard let user = json["user_id"]?.string else { return [] }
            return [
                .event(
                    .userUnsubscribed, key: "\(token):\(event)", providerId: user, message: InboundMessage(type: .unsupported, timestamp: timestamp),
                    provider: provider)
            ]
        default:
            return []  // webhook (handshake), client_status, action ...
        }
    }

    private func contact(_ user: JSONValue) -> InboundContact? {
        InboundContact(name: user["name"]?.string, locale: user["language"]?.string).nonEmpty
    }

    private func message(_ m: JSONValue, id: String, timestamp: String?) -> InboundMessage {
        var msg = InboundMessage(id: id, type: .unsupported, text: m["text"]?.string, timestamp: timestamp)
        let media = InboundMessage.Media(url: m["media"]?.string, caption: m["text"]?.string, filename: m["file_name"]?.string)
        switch m["type"]?.string {
        case "text":
            msg.type = .text
        case "picture":
            msg.type = .image
            msg.media = [media]
        case "video":
            msg.type = .video
            msg.media = [media]
        case "file":
            msg.type = .document
            msg.media = [media]
        case "sticker":
            msg.type = .sticker
            msg.media = [InboundMessage.Media(id: m["sticker_id"]?.idString, url: m["media"]?.string)]
        case "url":
            msg.type = .text
            msg.text = m["media"]?.string
        case "location":
            if let lat = m[path: "location", "lat"]?.double, let lon = m[path: "location", "lon"]?.double {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, address: m[path: "location", "address"]?.string)
            }
        case "contact":
            msg.type = .contact
            let c = m["contact"]
            msg.contacts = [.init(name: c?["name"]?.string, phones: c?["phone_number"]?.string.map { [$0] })]
        default:
            break  // rich_media and anything new
        }
        // Keyboard buttons with ActionType "reply" come back as a text message whose text is the
        // button's ActionBody; the bot's tracking_data travels with it.
        if let tracking = m["tracking_data"]?.string, !tracking.isEmpty { msg.payload = tracking }
        return msg
    }
}

extension ViberAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let authToken: ConfigKey = "authToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "viber"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.authToken],
        makeAdapter: { ViberAdapter(channel: $0) },
        signSample: { request, channel in
            let mac = Signatures.hmac(.sha256, key: channel.secret(ConfigKeys.authToken), message: request.body)
            request.headers.append(("X-Viber-Content-Signature", Signatures.hex(mac)))
        })
}
