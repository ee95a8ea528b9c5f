import Foundation
import GangwayCore

/// Vonage Voice API (NCCO). See README.md beside this file.
///
/// The application's answer URL brings the call's start to `/webhooks/{channel}` (GET with query
/// parameters by default, or POST JSON); each `listen` renders an `input` action whose `eventUrl`
/// is `/webhooks/{channel}/gather`; the application's event URL (`/webhooks/{channel}/status`)
/// brings the call's end. Requests carry Vonage's signed-callback JWT (``VonageSignedWebhook``).
struct VonageVoiceAdapter: VoiceChannelAdapter {
    let signatureSecret: String

    init(channel: ChannelConfiguration) {
        signatureSecret = channel.secret(ConfigKeys.signatureSecret)
    }

    var methods: Set<String> { Self.descriptor.methods }

    /// The JWT's `payload_hash` covers the body of a POST; for a GET it covers the compact JSON of
    /// the query parameters, in the order received.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        try VonageSignedWebhook.verify(
            request, signatureSecret: signatureSecret, payload: Self.signedPayload(method: request.method, url: request.url, body: request.body))
    }

    static func signedPayload(method: String, url: String, body: [UInt8]) -> [UInt8] {
        guard method == "GET" else { return body }
        let query = FormField.parseQuery(ofURL: url)
        return Array(JSONValue.object(query.map { ($0.name, .string($0.value)) }).serialized().utf8)
    }

    static let endStatuses: Set<String> = ["completed", "busy", "failed", "timeout", "cancelled", "rejected", "unanswered"]

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let fields: (String) -> JSONValue?
        if request.method == "GET" {
            let query = request.query
            fields = { name in query[field: name].map(JSONValue.string) }
        } else {
            let json = try request.jsonBody()
            guard json.isObject else { throw .badRequest("not a Vonage Voice webhook: the body is not a JSON object") }
            fields = { json[$0] }
        }
        guard let uuid = fields("uuid")?.idString, !uuid.isEmpty else { throw .badRequest("no uuid in the request") }
        guard let from = fields("from")?.idString ?? fields("from_user")?.idString else { throw .badRequest("no from in the request") }
        let callee = fields("to")?.idString
        let status = fields("status")?.string
        let provider = { (event: String) in ProviderInfo(name: VonageVoiceAdapter.name, recipientId: callee, event: event, callId: uuid) }

        if let status, Self.endStatuses.contains(status) {
            return [.event(.callEnded, key: VoiceKeys.end(uuid), providerId: from, provider: provider(status), callee: callee)]
        }
        let speech = fields("speech")
        let dtmf = fields("dtmf")
        if request.subpath == VoiceRoutes.gather || speech != nil || dtmf != nil {
            // Vonage gives a turn no sequence number: the key hashes the authentic bytes.
            let key = VoiceKeys.turn(uuid, request: request)
            let best = speech?["results"]?[0]
            var message = InboundMessage(id: key, type: .speech, text: best?["text"]?.string ?? "", timestamp: fields("timestamp")?.string)
            if let digits = dtmf?["digits"]?.idString, !digits.isEmpty, message.text == "" {
                message.type = .dtmf
                message.text = digits
            } else {
                message.confidence = best?["confidence"]?.double
            }
            return [.handle(key: key, providerId: from, message: message, provider: provider("input"), callee: callee)]
        }
        // Other events (started, ringing, answered, human, machine, ...): nothing for the chatbot.
        if request.subpath == "/status" || status != nil { return [] }
        return [.event(.callStarted, key: VoiceKeys.start(uuid), providerId: from, provider: provider("answer"), callee: callee)]
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }

    /// An NCCO, each action worded as Vonage's own models (`vonage_voice.models.ncco`) dump it. A
    /// `hangup` ends the NCCO (Vonage hangs up when it runs out of actions), so nothing after it is
    /// rendered. `connect` calls from our own number (the call's `to`) when it is known, else from
    /// a random number of the application.
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        var ncco: [JSONValue] = []
        loop: for action in actions {
            switch action {
            case .say(let text, let language):
                var talk: [(String, JSONValue)] = [("text", .string(text))]
                if let language { talk.append(("language", .string(language))) }
                ncco.append(.object(talk + [("action", .string("talk"))]))
            case .play(let url):
                ncco.append(.object([("streamUrl", .array([.string(url)])), ("action", .string("stream"))]))
            case .listen(let timeout, let language, let hints):
                var speech: [(String, JSONValue)] = []
                if let language { speech.append(("language", .string(language))) }
                if !hints.isEmpty { speech.append(("context", .array(hints.map(JSONValue.string)))) }
                // Vonage waits 1 to 60 s for speech to start (its default: 10).
                if let timeout { speech.append(("startTimeout", .number(String(SafeNumbers.int(timeout, clampedTo: 1...60) ?? 5)))) }
                speech.append(("saveAudio", .bool(false)))
                ncco.append(
                    .object([
                        ("type", .array([.string("speech"), .string("dtmf")])), ("speech", .object(speech)),
                        ("eventUrl", .array([.string(callbackURL)])), ("eventMethod", .string("POST")), ("action", .string("input")),
                    ]))
            case .transfer(let to):
                var connect: [(String, JSONValue)] = [
                    ("endpoint", .array([.object([("number", .string(Self.e164Digits(to))), ("type", .string("phone"))])]))
                ]
                if let ours = Self.callee(of: request) {
                    connect.append(("from", .string(ours)))
                } else {
                    connect.append(("randomFromNumber", .bool(true)))
                }
                ncco.append(.object(connect + [("action", .string("connect"))]))
            case .hangup:
                break loop
            }
        }
        return .json(JSONValue.array(ncco).serialized())
    }

    /// Vonage writes numbers as E.164 digits without `+`.
    static func e164Digits(_ number: String) -> String {
        number.hasPrefix("+") ? String(number.dropFirst()) : number
    }

    /// Our number (`to` of the answer request), the caller id of a transfer.
    static func callee(of request: InboundRequest) -> String? {
        if request.method == "GET" { return request.queryValue("to") }
        return (try? request.jsonBody())?["to"]?.idString
    }
}

extension VonageVoiceAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let signatureSecret: ConfigKey = "signatureSecret"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "vonage-voice"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.signatureSecret], isVoice: true, methods: ["GET", "POST"], subpaths: ["", VoiceRoutes.gather, "/status"],
        makeAdapter: { VonageVoiceAdapter(channel: $0) },
        signSample: { request, channel in
            VonageSignedWebhook.sign(
                &request, signatureSecret: channel.secret(ConfigKeys.signatureSecret),
                payload: VonageVoiceAdapter.signedPayload(method: request.method, url: request.url, body: request.body))
        })
}
