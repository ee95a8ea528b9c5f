import Foundation
import GangwayCore

/// Infobip inbound messages (SMS, WhatsApp, Viber ...) and delivery / seen reports, batched
/// in `results[]`. See README.md beside this file for what maps to what.
struct InfobipAdapter: ChannelAdapter {
    let username: String
    let password: String

    init(channel: ChannelConfiguration) {
        username = channel.secret(ConfigKeys.username)
        password = channel.secret(ConfigKeys.password)
    }

    // MARK: Verification

    /// Infobip signs nothing: the webhook URL is registered with HTTP Basic credentials, which
    /// Infobip sends as `Authorization: Basic base64(username:password)`.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": "authorization", "bodyBytes": String(request.body.count)]
        guard let header = request.headers["authorization"] else {
            throw .unauthorized("missing Authorization header (register the URL with Basic credentials)", diagnosis: diagnosis)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let given = Signatures.fromBase64(String(parts[1])) else {
            throw .unauthorized("Authorization is not Basic credentials", diagnosis: diagnosis)
        }
        // One comparison over the whole `username:password`, so the time tells neither part.
        guard Signatures.constantTimeEquals(given, Array("\(username):\(password)".utf8)) else {
            throw .unauthorized("Basic credentials do not match username/password", diagnosis: diagnosis)
        }
    }

    // MARK: Normalization

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard let results = json["results"]?.array else { throw .badRequest("not an Infobip webhook: no results array") }
        return results.compactMap { r in
            if r["status"]?.isObject == true { return deliveryReport(r) }
            if r["seenAt"] != nil { return seenReport(r) }
            if r["from"] != nil, r["message"] != nil || r["text"] != nil { return inboundMessage(r) }
            return nil  // anything new: nothing for the chatbot
        }
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }

    // MARK: Inbound messages

    private func inboundMessage(_ r: JSONValue) -> InboundCall? {
        guard let id = r["messageId"]?.idString, let from = r["from"]?.idString else { return nil }
        var msg = InboundMessage(id: id, type: .text, timestamp: r["receivedAt"]?.string)
        if let m = r["message"] {
            fill(&msg, from: m)
        } else {
            // SMS MO: `text` is the full text, `cleanText` without the keyword.
            msg.text = r["text"]?.string
        }
        let contact = InboundContact(name: r[path: "contact", "name"]?.string).nonEmpty
        return .handle(
            key: id, providerId: from, message: msg, contact: contact,
            provider: ProviderInfo(name: InfobipAdapter.name, recipientId: r["to"]?.idString))
    }

    /// The `message` object of WhatsApp, Viber and other chat inbound messages.
    private func fill(_ msg: inout InboundMessage, from m: JSONValue) {
        let type = m["type"]?.string ?? ""
        msg.replyTo = m[path: "context", "id"]?.string
        switch type {
        case "TEXT":
            msg.text = m["text"]?.string
        case "IMAGE", "DOCUMENT", "AUDIO", "VOICE", "VIDEO", "STICKER", "FILE":
            let kind: [String: MessageType] = [
                "IMAGE": .image, "DOCUMENT": .document, "FILE": .document, "AUDIO": .audio, "VOICE": .audio, "VIDEO": .video,
                "STICKER": .sticker,
            ]
            msg.type = kind[type] ?? .document
            msg.text = m["caption"]?.string
            msg.media = [InboundMessage.Media(url: m["url"]?.string, caption: m["caption"]?.string)]
        case "LOCATION":
            if let lat = m["latitude"]?.double, let lon = m["longitude"]?.double {
                msg.type = .location
                msg.location = .init(latitude: lat, longitude: lon, name: m["name"]?.string, address: m["address"]?.string)
            } else {
                msg.type = .unsupported
            }
        case "CONTACT":
            msg.type = .contact
            msg.contacts = (m["contacts"]?.items ?? []).map { c in
                InboundMessage.SharedContact(
                    name: c[path: "name", "formattedName"]?.string ?? c[path: "name", "firstName"]?.string,
                    phones: (c["phones"]?.items ?? []).compactMap { $0["phone"]?.idString })
            }
        case "BUTTON":
            msg.type = .postback
            msg.text = m["text"]?.string
            msg.payload = m["payload"]?.string ?? m["text"]?.string
        case "INTERACTIVE_BUTTON_REPLY", "INTERACTIVE_LIST_REPLY":
            msg.type = .postback
            msg.text = m["title"]?.string
            msg.payload = m["id"]?.idString
        default:
            msg.type = .unsupported
            msg.text = m["text"]?.string
        }
    }

    // MARK: Reports

    private func deliveryReport(_ r: JSONValue) -> InboundCall? {
        guard let id = r["messageId"]?.idString, let user = r["to"]?.idString, let group = r[path: "status", "groupName"]?.string else {
            return nil
        }
        let name: EventName
        switch group {
        case "DELIVERED": name = .messageDelivered
        case "UNDELIVERABLE", "EXPIRED", "REJECTED": name = .messageFailed
        default: return nil  // PENDING and anything new: nothing for the chatbot
        }
        let error = r[path: "error", "description"]?.string ?? r[path: "status", "description"]?.string
        return .event(
            name, key: "\(id):\(group.lowercased())", providerId: user,
            message: InboundMessage(id: id, type: .unsupported, text: name == .messageFailed ? error : nil, timestamp: r["doneAt"]?.string),
            provider: ProviderInfo(name: InfobipAdapter.name, recipientId: r["from"]?.idString, event: r[path: "status", "name"]?.string ?? group))
    }

    private func seenReport(_ r: JSONValue) -> InboundCall? {
        guard let id = r["messageId"]?.idString, let user = r["to"]?.idString else { return nil }
        return .event(
            .userSeenMessage, key: "\(id):seen", providerId: user,
            message: InboundMessage(id: id, type: .unsupported, timestamp: r["seenAt"]?.string),
            provider: ProviderInfo(name: InfobipAdapter.name, recipientId: r["from"]?.idString, event: "SEEN"))
    }
}

extension InfobipAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let username: ConfigKey = "username"
        static let password: ConfigKey = "password"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "infobip"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.username, ConfigKeys.password],
        makeAdapter: { InfobipAdapter(channel: $0) },
        signSample: { request, channel in
            let credentials = "\(channel.secret(ConfigKeys.username)):\(channel.secret(ConfigKeys.password))"
            request.headers.append(("Authorization", "Basic " + Signatures.base64(Array(credentials.utf8))))
        })
}
