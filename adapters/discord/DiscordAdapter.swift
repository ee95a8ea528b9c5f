import Foundation
import GangwayCore

/// Discord interactions (the application's Interactions Endpoint URL) and app Webhook Events.
/// See README.md beside this file for what maps to what.
struct DiscordAdapter: ChannelAdapter {
    static let signatureHeader = "x-signature-ed25519"
    static let timestampHeader = "x-signature-timestamp"
    /// Discord documents no window; five minutes, like every other signed time here.
    static let tolerance: Double = 300
    let publicKey: [UInt8]?

    init(channel: ChannelConfiguration) {
        let key = Signatures.fromHex(channel.secret(ConfigKeys.publicKey).trimmingCharacters(in: .whitespaces))
        publicKey = key?.count == 32 ? key : nil
    }

    /// PING (`type: 1`) is answered with PONG, and an app Webhook Events PING (`type: 0`) with
    /// 204 — both only after the signature checks out: Discord probes with bad signatures.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        guard request.method == "POST", let json = try? JSONValue.parse(request.body) else { return nil }
        if json["type"]?.idString == "0" {  // Webhook Events PING
            try verify(request)
            return AdapterResponse(status: 204)
        }
        guard json["type"]?.idString == "1", !Self.isWebhookEvent(json) else { return nil }
        try verify(request)
        return .json(#"{"type":1}"#)
    }

    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": Self.signatureHeader, "bodyBytes": String(request.body.count)]
        guard let publicKey else { throw .unauthorized("publicKey is not 64 hex digits (32 bytes)", diagnosis: diagnosis) }
        guard let given = request.headers[Self.signatureHeader] else {
            throw .unauthorized("missing X-Signature-Ed25519 header", diagnosis: diagnosis)
        }
        let timestamp = request.headers[Self.timestampHeader]
        try Signatures.checkTimestamp(timestamp, header: Self.timestampHeader, now: request.receivedAt, tolerance: Self.tolerance)
        guard let signature = Signatures.fromHex(given), signature.count == 64 else {
            throw .unauthorized("X-Signature-Ed25519 is not 128 hex digits (\(Signatures.hint(given)))", diagnosis: diagnosis)
        }
        guard Signatures.verifyEd25519(publicKey: publicKey, signature: signature, message: Array((timestamp ?? "").utf8) + request.body) else {
            throw .unauthorized("X-Signature-Ed25519 does not match (wrong publicKey or altered body)", diagnosis: diagnosis)
        }
    }

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard json.isObject, let type = json["type"]?.idString else { throw .badRequest("not a Discord interaction: no type") }
        // App Webhook Events, PING and AUTOCOMPLETE: nothing for the chatbot.
        guard !Self.isWebhookEvent(json), ["2", "3", "5"].contains(type), let id = json["id"]?.idString,
            let user = json[path: "member", "user"] ?? json["user"], let userID = user["id"]?.idString
        else { return [] }
        let data = json["data"]
        var msg = InboundMessage(id: id, type: .postback, timestamp: Self.timestamp(ofSnowflake: id))
        switch type {
        case "2":  // APPLICATION_COMMAND: /name with its option values as the text
            msg.payload = data?["name"]?.string
            msg.text = Self.optionValues(data?["options"]).joined(separator: " ").nilIfEmpty
        case "3":  // MESSAGE_COMPONENT: a button or a select menu
            msg.payload = data?["custom_id"]?.string
            msg.text = (data?["values"]?.items ?? []).compactMap(\.idString).joined(separator: " ").nilIfEmpty
            msg.replyTo = json[path: "message", "id"]?.idString
        default:  // MODAL_SUBMIT: the values of its text inputs
            msg.payload = data?["custom_id"]?.string
            msg.text = Self.componentValues(data?["components"]).joined(separator: "\n").nilIfEmpty
        }
        let contact = InboundContact(
            name: user["global_name"]?.string, username: user["username"]?.string, locale: json["locale"]?.string
        ).nonEmpty
        let event = ["2": "APPLICATION_COMMAND", "3": "MESSAGE_COMPONENT", "5": "MODAL_SUBMIT"][type]
        return [
            .handle(
                key: id, providerId: userID, message: msg, contact: contact,
                provider: ProviderInfo(name: DiscordAdapter.name, recipientId: json["channel_id"]?.idString, event: event, replyToken: json["token"]?.string))
        ]
    }

    /// Interactions are answered at once: deferred (`type: 5`), the chatbot's answer follows through
    /// the interaction token; autocomplete gets an empty choice list; Webhook Events get 204.
    func acknowledgement(for request: InboundRequest) -> AdapterResponse {
        guard let json = try? JSONValue.parse(request.body), !Self.isWebhookEvent(json) else { return AdapterResponse(status: 204) }
        switch json["type"]?.idString {
        case "1": return .json(#"{"type":1}"#)
        case "4": return .json(#"{"type":8,"data":{"choices":[]}}"#)
        default: return .json(#"{"type":5}"#)
        }
    }

    /// An app Webhook Events body (`type` 0 PING, or `type` 1 with an `event`), not an interaction:
    /// interactions never have type 0 nor an `event` member.
    static func isWebhookEvent(_ json: JSONValue) -> Bool {
        json["type"]?.idString == "0" || json["event"] != nil
    }

    private static func optionValues(_ options: JSONValue?) -> [String] {
        (options?.items ?? []).flatMap { o -> [String] in
            if let nested = o["options"] { return [o["name"]?.string].compactMap { $0 } + optionValues(nested) }
            return [o["value"]?.idString ?? o["value"]?.bool.map { String($0) }].compactMap { $0 }
        }
    }

    private static func componentValues(_ components: JSONValue?) -> [String] {
        (components?.items ?? []).flatMap { c -> [String] in
            if let value = c["value"]?.string { return [value] }
            return componentValues(c["components"] ?? c["component"].map { .array([$0]) })
        }
    }

    /// A snowflake's creation time: the upper 42 bits are milliseconds since 2015-01-01.
    static func timestamp(ofSnowflake id: String) -> String? {
        guard let n = UInt64(id) else { return nil }
        return Timestamps.iso8601(unixSeconds: Double((n >> 22) + 1_420_070_400_000) / 1000)
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}

extension DiscordAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let publicKey: ConfigKey = "publicKey"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "discord"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.publicKey],
        makeAdapter: { DiscordAdapter(channel: $0) },
        // Discord keeps the private key: simulate signs with the published demo seed, which a
        // channel accepts only when its publicKey is the demo key (03a107bf…31b8, see README).
        signSample: { request, _ in
            let timestamp = String(UnixTime.seconds(of: request.now))
            let signature = Signatures.signEd25519(seed: DemoKeys.ed25519Seed, message: Array(timestamp.utf8) + request.body) ?? []
            request.headers.append(("X-Signature-Ed25519", Signatures.hex(signature)))
            request.headers.append(("X-Signature-Timestamp", timestamp))
        })
}
