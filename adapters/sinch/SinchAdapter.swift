import Foundation
import GangwayCore

/// Sinch Conversation API callbacks. See README.md beside this file for what maps to what.
struct SinchAdapter: ChannelAdapter {
    static let signatureHeader = "x-sinch-webhook-signature"
    static let nonceHeader = "x-sinch-webhook-signature-nonce"
    static let timestampHeader = "x-sinch-webhook-signature-timestamp"
    static let algorithmHeader = "x-sinch-webhook-signature-algorithm"

    let webhookSecret: String
    let tolerance: Double

    init(channel: ChannelConfiguration) {
        webhookSecret = channel.secret(ConfigKeys.webhookSecret)
        tolerance = channel.replayToleranceSeconds
    }

    // MARK: Verification

    /// base64(HMAC-SHA256(webhook secret, raw body + "." + nonce + "." + timestamp)), with the
    /// timestamp within `toleranceSeconds` of the receive time.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.signatureHeader, "bodyBytes": String(request.body.count)]
        guard let given = request.headers[Self.signatureHeader] else {
            throw .unauthorized("missing x-sinch-webhook-signature header (is a secret set on the Sinch webhook?)", diagnosis: diagnosis)
        }
        if let algorithm = request.headers[Self.algorithmHeader], algorithm.lowercased() != "hmacsha256" {
            throw .unauthorized("x-sinch-webhook-signature-algorithm \(algorithm) is not HmacSHA256", diagnosis: diagnosis)
        }
        guard let nonce = request.headers[Self.nonceHeader] else {
            throw .unauthorized("missing x-sinch-webhook-signature-nonce header", diagnosis: diagnosis)
        }
        let timestamp = request.headers[Self.timestampHeader]
        try Signatures.checkTimestamp(timestamp, header: Self.timestampHeader, now: request.receivedAt, tolerance: tolerance)
        guard let givenBytes = Signatures.fromBase64(given) else {
            throw .unauthorized("x-sinch-webhook-signature is not base64 (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        let expected = Self.signature(body: request.body, nonce: nonce, timestamp: timestamp ?? "", secret: webhookSecret)
        guard Signatures.constantTimeEquals(givenBytes, expected) else {
            throw .unauthorized("x-sinch-webhook-signature does not match (wrong webhookSecret or altered body)", diagnosis: diagnosis)
        }
    }

    static func signature(body: [UInt8], nonce: String, timestamp: String, secret: String) -> [UInt8] {
        Signatures.hmac(.sha256, key: secret, message: body + Array(".\(nonce).\(timestamp)".utf8))
    }

    // MARK: Normalization

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject else { throw .badRequest("not a Sinch callback: the body is not a JSON object") }
        let appID = json["app_id"]?.string
        if let message = json["message"] {
            return messageCall(message, appID: appID, acceptedTime: json["accepted_time"]?.string).map { [$0] } ?? []
        }
        if let report = json["message_delivery_report"] {
            return receiptCall(report, appID: appID).map { [$0] } ?? []
        }
        if let event = json["event"] {
            return eventCall(event, appID: appID).map { [$0] } ?? []
        }
        return []  // conversation, contact, capability, opt-in/out notifications ...: nothing for the chatbot
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }

    // MARK: MESSAGE_INBOUND

    private func messageCall(_ m: JSONValue, appID: String?, acceptedTime: String?) -> InboundCall? {
        guard m["direction"]?.string ?? "TO_APP" == "TO_APP", let id = m["id"]?.idString,
            let user = m[path: "channel_identity", "identity"]?.idString, let content = m["contact_message"]
        else { return nil }
        var msg = InboundMessage(
            id: id, type: .unsupported, timestamp: m["accept_time"]?.string ?? acceptedTime,
            replyTo: content[path: "reply_to", "message_id"]?.string)
        if let text = content[path: "text_message", "text"]?.string {
            msg.type = .text
            msg.text = text
        } else if let media = content["media_message"], let url = media["url"]?.string {
            msg.type = MediaKind.messageType(mimeType: nil, url: media["filename_override"]?.string ?? url)
            msg.media = [InboundMessage.Media(url: url, filename: media["filename_override"]?.string)]
        } else if let card = content["media_card_message"], let url = card["url"]?.string {
            msg.type = MediaKind.messageType(mimeType: nil, url: url)
            msg.text = card["caption"]?.string
            msg.media = [InboundMessage.Media(url: url, caption: card["caption"]?.string)]
        } else if let location = content["location_message"],
            let lat = location[path: "coordinates", "latitude"]?.double, let lon = location[path: "coordinates", "longitude"]?.double
        {
            msg.type = .location
            msg.location = .init(latitude: lat, longitude: lon, name: location["title"]?.string, address: location["label"]?.string)
        } else if let choice = content["choice_response_message"] {
            msg.type = .postback
            msg.payload = choice["postback_data"]?.string
            msg.replyTo = choice["message_id"]?.string ?? msg.replyTo
        } else if let card = content["contact_info_message"] {
            msg.type = .contact
            msg.contacts = [
                InboundMessage.SharedContact(
                    name: card[path: "name", "full_name"]?.string,
                    phones: (card["phone_numbers"]?.items ?? []).compactMap { $0["phone_number"]?.string })
            ]
        }
        // fallback_message, product_response_message, channel_specific_message: `unsupported`.
        return .handle(key: id, providerId: user, message: msg, provider: ProviderInfo(name: SinchAdapter.name, recipientId: appID))
    }

    // MARK: MESSAGE_DELIVERY

    private func receiptCall(_ r: JSONValue, appID: String?) -> InboundCall? {
        guard let id = r["message_id"]?.idString, let status = r["status"]?.string,
            let user = r[path: "channel_identity", "identity"]?.idString
        else { return nil }
        let name: EventName
        switch status {
        case "DELIVERED": name = .messageDelivered
        case "READ": name = .userSeenMessage
        case "FAILED": name = .messageFailed
        default: return nil  // QUEUED_ON_CHANNEL, SWITCHING_CHANNEL: nothing for the chatbot
        }
        let reason = r[path: "reason", "description"]?.string ?? r[path: "reason", "code"]?.string
        return .event(
            name, key: "\(id):\(status.lowercased())", providerId: user,
            message: InboundMessage(id: id, type: .unsupported, text: name == .messageFailed ? reason : nil),
            provider: ProviderInfo(name: SinchAdapter.name, recipientId: appID, event: status))
    }

    // MARK: EVENT_INBOUND

    private func eventCall(_ e: JSONValue, appID: String?) -> InboundCall? {
        guard let id = e["id"]?.idString, let user = e[path: "channel_identity", "identity"]?.idString,
            e[path: "contact_event", "composing_event"] != nil
        else { return nil }  // composing_end_event, comment replies ...: nothing for the chatbot
        return .event(.userTyping, key: id, providerId: user, provider: ProviderInfo(name: SinchAdapter.name, recipientId: appID, event: "composing_event"))
    }
}

extension SinchAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let webhookSecret: ConfigKey = "webhookSecret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "sinch"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.webhookSecret], settings: [.toleranceSeconds],
        makeAdapter: { SinchAdapter(channel: $0) },
        signSample: { request, channel in SinchAdapter.sign(&request, secret: channel.secret(ConfigKeys.webhookSecret)) })

    /// Signs as Sinch does, with a nonce derived from the body and time.
    static func sign(_ request: inout SampleRequest, secret: String) {
        let timestamp = String(UnixTime.seconds(of: request.now))
        let nonce = Signatures.hex(Signatures.sha256(request.body + Array(timestamp.utf8)).prefix(16))
        let mac = signature(body: request.body, nonce: nonce, timestamp: timestamp, secret: secret)
        request.headers.append(("x-sinch-webhook-signature-timestamp", timestamp))
        request.headers.append(("x-sinch-webhook-signature-nonce", nonce))
        request.headers.append(("x-sinch-webhook-signature-algorithm", "HmacSHA256"))
        request.headers.append(("x-sinch-webhook-signature", Signatures.base64(mac)))
    }
}
