import Foundation
import GangwayCore

/// LINE Messaging API. See README.md beside this file for what maps to what.
struct LineAdapter: ChannelAdapter {
    static let header = "x-line-signature"
    let channelSecret: String

    init(channel: ChannelConfiguration) {
        channelSecret = channel.secret(ConfigKeys.channelSecret)
    }

    /// `X-Line-Signature`: base64 HMAC-SHA256 with the channel secret over the raw body. The
    /// console's "Verify" button sends a signed body with `events: []`, which maps to nothing.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.header, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.header] else { throw .unauthorized("missing X-Line-Signature header", diagnosis: diagnosis) }
        guard let givenBytes = Signatures.fromBase64(given) else {
            throw .unauthorized("X-Line-Signature is not base64 (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        let expected = Signatures.hmac(.sha256, key: channelSecret, message: request.body)
        guard Signatures.constantTimeEquals(givenBytes, expected) else {
            throw .unauthorized("X-Line-Signature does not match (wrong channelSecret or altered body)", diagnosis: diagnosis)
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject, let events = json["events"]?.array else { throw .badRequest("not a LINE webhook: no events array") }
        let destination = json["destination"]?.string
        return events.compactMap { call($0, destination: destination) }
    }

    private func call(_ e: JSONValue, destination: String?) -> InboundCall? {
        // Standby: another module owns the chat and the bot must not reply.
        guard e["mode"]?.string != "standby", let key = e["webhookEventId"]?.string, let user = e[path: "source", "userId"]?.string,
            let type = e["type"]?.string
        else { return nil }
        let timestamp = Timestamps.iso8601(unixMilliseconds: e["timestamp"]?.idString)
        let provider = ProviderInfo(name: LineAdapter.name, recipientId: destination, event: type, replyToken: e["replyToken"]?.string)
        switch type {
        case "message":
            guard let m = e["message"] else { return nil }
            return .handle(key: key, providerId: user, message: message(m, timestamp: timestamp), provider: provider)
        case "postback":
            let msg = InboundMessage(type: .postback, timestamp: timestamp, payload: e[path: "postback", "data"]?.string)
            return .handle(key: key, providerId: user, message: msg, provider: provider)
        case "follow":
            return .event(
                .conversationStarted, key: key, providerId: user, message: InboundMessage(type: .unsupported, timestamp: timestamp), provider: provider)
        case "unfollow":
            return .event(.userUnsubscribed, key: key, providerId: user, message: InboundMessage(type: .unsupported, timestamp: timestamp), provider: provider)
        default:
            return nil  // unsend, join, leave, member*, beacon, accountLink, things, membership ...
        }
    }

    private func message(_ m: JSONValue, timestamp: String?) -> InboundMessage {
        let id = m["id"]?.idString
        var msg = InboundMessage(id: id, type: .unsupported, timestamp: timestamp, replyTo: m["quotedMessageId"]?.idString)
        let type = m["type"]?.string ?? ""
        switch type {
        case "text":
            msg.type = .text
            msg.text = m["text"]?.string
        case "image", "video", "audio", "file":
            msg.type = type == "file" ? .document : MessageType(rawValue: type)
            // Content of `line` provider media is fetched from api-data.line.me/v2/bot/message/{id}/content.
            let url = m[path: "contentProvider", "type"]?.string == "external" ? m[path: "contentProvider", "originalContentUrl"]?.string : nil
            msg.media = [InboundMessage.Media(id: id, url: url, filename: m["fileName"]?.string)]
        case "location":
            if let lat = m["latitude"]?.double, let lon = m["longitude"]?.double {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, name: m["title"]?.string, address: m["address"]?.string)
            }
        case "sticker":
            msg.type = .sticker
            msg.media = [InboundMessage.Media(id: m["stickerId"]?.idString)]
            msg.text = (m["keywords"]?.items ?? []).compactMap(\.string).first
        default:
            break
        }
        return msg
    }
}

extension LineAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let channelSecret: ConfigKey = "channelSecret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "line"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.channelSecret],
        makeAdapter: { LineAdapter(channel: $0) },
        signSample: { request, channel in
            let mac = Signatures.hmac(.sha256, key: channel.secret(ConfigKeys.channelSecret), message: request.body)
            request.headers.append(("X-Line-Signature", Signatures.base64(mac)))
        })
}
