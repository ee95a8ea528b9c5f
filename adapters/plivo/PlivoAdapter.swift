import Foundation
import GangwayCore

/// Plivo Messaging: SMS, MMS and WhatsApp. See README.md beside this file.
struct PlivoAdapter: ChannelAdapter {
    let authToken: String

    init(channel: ChannelConfiguration) {
        authToken = channel.secret(ConfigKeys.authToken)
    }

    /// The message URL is POSTed by default; an application may choose GET.
    var methods: Set<String> { Self.descriptor.methods }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        try PlivoSignature.verify(request, authToken: authToken)
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let form = try PlivoSignature.parameters(request)
        guard let uuid = form[field: "MessageUUID"], !uuid.isEmpty else { throw .badRequest("no MessageUUID in the parameters") }
        if let status = form[field: "Status"] {
            return statusCall(form, uuid: uuid, status: status).map { [$0] } ?? []
        }
        guard let from = form[field: "From"], !from.isEmpty else { throw .badRequest("no From in the parameters") }
        let provider = ProviderInfo(name: PlivoAdapter.name, recipientId: form[field: "To"])
        var calls = [InboundCall.handle(key: uuid, providerId: from, message: message(form, uuid: uuid), provider: provider)]
        // Plivo flags the carriers' standard keywords (STOP, ...): the chatbot also hears it as an event.
        if form[field: "MessageIntent"] == "optout" {
            calls.append(
                .event(
                    .userUnsubscribed, key: "\(uuid):optout", providerId: from, message: InboundMessage(id: uuid, type: .text, text: text(form)),
                    provider: ProviderInfo(name: PlivoAdapter.name, recipientId: form[field: "To"], event: "optout")))
        }
        return calls
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }

    // MARK: Messages

    /// SMS text is `Text`; MMS and WhatsApp text is `Body`.
    private func text(_ form: [FormField]) -> String? {
        (form[field: "Text"] ?? form[field: "Body"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    private func message(_ form: [FormField], uuid: String) -> InboundMessage {
        var msg = InboundMessage(id: uuid, type: .text, text: text(form), replyTo: form[field: "ContextMessageUUID"])
        let count = min(Int(form[field: "MediaCount"] ?? "") ?? 0, 10)
        // MMS numbers its media Media1...MediaN; WhatsApp media comes as Media0 (or Media1) with MimeType.
        let media = (0...max(count, 1)).compactMap { i -> InboundMessage.Media? in
            guard let url = form[field: "Media\(i)"], !url.isEmpty else { return nil }
            return InboundMessage.Media(url: url, mimeType: form[field: "MimeType"])
        }
        if !media.isEmpty {
            msg.media = media
            // MMS gives no MIME type: the URL's extension tells, else it is a `document`.
            msg.type = MediaKind.messageType(mimeType: media[0].mimeType, url: media[0].url)
        }
        switch form[field: "ContentType"] {
        case "button":
            msg.type = .postback
            msg.payload = form[field: "ButtonPayload"] ?? msg.text
            msg.text = form[field: "ButtonText"] ?? msg.text
        case "unknown":
            msg.type = .unsupported
        default:
            if media.isEmpty && msg.text == nil { msg.type = .unsupported }
        }
        return msg
    }

    // MARK: Status callbacks

    private func statusCall(_ form: [FormField], uuid: String, status: String) -> InboundCall? {
        let name: EventName
        switch status {
        case "delivered": name = .messageDelivered
        case "read": name = .userSeenMessage
        case "failed", "undelivered", "rejected": name = .messageFailed
        default: return nil  // queued, sent, ...: nothing for the chatbot
        }
        // A status is about a message we sent: the user is `To`.
        guard let user = form[field: "To"], !user.isEmpty else { return nil }
        let error = form[field: "ErrorCode"].flatMap { $0.isEmpty || $0 == "000" ? nil : "ErrorCode \($0)" }
        return .event(
            name, key: "\(uuid):\(status)", providerId: user, message: InboundMessage(id: uuid, type: .unsupported, text: error),
            provider: ProviderInfo(name: PlivoAdapter.name, recipientId: form[field: "From"], event: status))
    }
}

extension PlivoAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let authToken: ConfigKey = "authToken"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "plivo"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.authToken], methods: ["GET", "POST"], signatureCoversURL: true,
        makeAdapter: { PlivoAdapter(channel: $0) },
        signSample: { request, channel in PlivoSignature.sign(&request, authToken: channel.secret(ConfigKeys.authToken)) })
}
