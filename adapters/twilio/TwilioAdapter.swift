import Foundation
import GangwayCore

/// Twilio Messaging: SMS, MMS and WhatsApp via Twilio. See README.md beside this file.
struct TwilioAdapter: ChannelAdapter {
    let authToken: String

    init(channel: ChannelConfiguration) {
        authToken = channel.secret(ConfigKeys.authToken)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try TwilioSignature.verify(request, authToken: authToken)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let form = try request.formBody()
        guard let sid = form[field: "MessageSid"] ?? form[field: "SmsMessageSid"] ?? form[field: "SmsSid"] else {
            throw .badRequest("no MessageSid in the form")
        }
        if let status = form[field: "MessageStatus"] {
            let name: EventName
            switch status {
            case "delivered": name = .messageDelivered
            case "read": name = .userSeenMessage
            case "failed", "undelivered": name = .messageFailed
            default: return []  // queued, sending, sent, ...: nothing for the chatbot
            }
            // A status is about a message we sent: the user is `To`.
            guard let user = form[field: "To"] else { throw .badRequest("status callback without To") }
            let msg = InboundMessage(id: sid, type: .unsupported, text: form[field: "ErrorCode"].map { "ErrorCode \($0)" })
            return [
                .event(
                    name, key: "\(sid):\(status)", providerId: user, message: msg,
                    provider: ProviderInfo(name: TwilioAdapter.name, recipientId: form[field: "From"], event: status))
            ]
        }
        guard let from = form[field: "From"] else { throw .badRequest("no From in the form") }
        var msg = InboundMessage(id: sid, type: .text, text: form[field: "Body"])
        let count = min(Int(form[field: "NumMedia"] ?? "0") ?? 0, 10)
        if count > 0 {
            msg.media = (0..<count).compactMap { i in
                guard let url = form[field: "MediaUrl\(i)"] else { return nil }
                return InboundMessage.Media(url: url, mimeType: form[field: "MediaContentType\(i)"])
            }
            let mime = msg.media?.first?.mimeType ?? ""
            msg.type =
                mime.hasPrefix("image/") ? .image : mime.hasPrefix("audio/") ? .audio : mime.hasPrefix("video/") ? .video : .document
            if msg.text?.isEmpty == true { msg.text = nil }
        }
        if let lat = form[field: "Latitude"].flatMap(Double.init), let lon = form[field: "Longitude"].flatMap(Double.init) {
            msg.type = .location
            msg.location = .init(latitude: lat, longitude: lon, name: form[field: "Label"], address: form[field: "Address"])
        }
        if let payload = form[field: "ButtonPayload"] {
            msg.type = .postback
            msg.payload = payload
            msg.text = form[field: "ButtonText"] ?? msg.text
        }
        msg.replyTo = form[field: "OriginalRepliedMessageSid"]
        let contact = InboundContact(name: form[field: "ProfileName"], phone: form[field: "WaId"]).nonEmpty
        return [
            .handle(
                key: sid, providerId: from, message: msg, contact: contact, provider: ProviderInfo(name: TwilioAdapter.name, recipientId: form[field: "To"]))
        ]
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        .xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")
    }
}

extension TwilioAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let authToken: ConfigKey = "authToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "twilio"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.authToken], signatureCoversURL: true,
        makeAdapter: { TwilioAdapter(channel: $0) },
        signSample: { request, channel in TwilioSignature.sign(&request, authToken: channel.secret(ConfigKeys.authToken)) })
}
