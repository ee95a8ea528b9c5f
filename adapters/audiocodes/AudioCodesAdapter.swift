import Foundation
import GangwayCore

/// AudioCodes VoiceAI Connect / Live Hub, Bot API over HTTP. See README.md beside this file.
///
/// VoiceAI Connect is the client: it validates the bot URL (`GET /webhooks/{channel}`), creates a
/// conversation (`POST /webhooks/{channel}`, answered with the URLs below), posts what happens to
/// `/activities`, keeps the conversation alive on `/refresh` and ends it on `/disconnect`. Every
/// request carries `Authorization: Bearer <token>`.
struct AudioCodesAdapter: VoiceChannelAdapter {
    let token: String
    /// The caller of each live conversation: only the `start` activity names it (`parameters.caller`);
    /// later activities and the disconnect carry the conversation id alone. The gateway keeps it in
    /// its store (``memoryKeys(for:)``), so it survives a restart and every replica sees it.
    let callers: AdapterMemory

    init(channel: ChannelConfiguration, environment: AdapterEnvironment) {
        token = channel.secret(ConfigKeys.token)
        callers = environment.memory
    }

    static func callerKey(_ conversation: String) -> String { "audiocodes.caller:\(conversation)" }

    /// An activity or a disconnect reads its conversation's caller.
    func memoryKeys(for request: InboundRequest) -> [String] {
        guard request.subpath == "/activities" || request.subpath == "/disconnect",
            let conversation = (try? JSONValue.parse(request.body))?["conversation"]?.string, !conversation.isEmpty
        else { return [] }
        return [Self.callerKey(conversation)]
    }

    static let expiresSeconds = 120

    var methods: Set<String> { Self.descriptor.methods }

    // MARK: Handshakes: validation, conversation creation, refresh

    /// The requests that carry nothing for the chatbot are answered here, after the token check.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? {
        switch (request.method, request.subpath) {
        case ("GET", ""):
            try verify(request)
            return .json(#"{"type":"ac-bot-api","success":true}"#)
        case ("POST", ""):
            try verify(request)
            let json = try request.jsonBody()
            guard json["conversation"]?.string != nil else { throw .badRequest("no conversation id in the create-conversation request") }
            let base = Self.urlWithoutQuery(request.url)
            return .json(
                JSONValue.object([
                    ("activitiesURL", .string(base + "/activities")), ("refreshURL", .string(base + "/refresh")),
                    ("disconnectURL", .string(base + "/disconnect")), ("expiresSeconds", .number(String(Self.expiresSeconds))),
                ]).serialized())
        case ("POST", "/refresh"):
            try verify(request)
            return .json(#"{"expiresSeconds":\#(Self.expiresSeconds)}"#)
        default:
            return nil
        }
    }

    /// The bot access token, compared in constant time.
    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": "authorization", "subpath": request.subpath]
        guard let given = JWT.bearerToken(request.headers) else {
            throw .unauthorized("missing Authorization: Bearer <token> (the bot's access token in VoiceAI Connect)", diagnosis: diagnosis)
        }
        guard Signatures.constantTimeEquals(given, token) else {
            throw .unauthorized("the bearer token is not the channel's token", diagnosis: diagnosis)
        }
    }

    // MARK: Activities and disconnect

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let json = try request.jsonBody()
        guard let conversation = json["conversation"]?.string, !conversation.isEmpty else { throw .badRequest("no conversation id") }
        switch request.subpath {
        case "/activities":
            return json["activities"]?.items.compactMap { activity(conversation, $0, at: request.receivedAt) } ?? []
        case "/disconnect":
            let caller = callers.recall(Self.callerKey(conversation), at: request.receivedAt) ?? conversation
            let reason = json["reason"]?.string ?? json["reasonCode"]?.idString ?? "disconnect"
            return [.event(.callEnded, key: VoiceKeys.end(conversation), providerId: caller, provider: info(conversation, event: reason))]
        default:
            throw .badRequest("unknown AudioCodes path \(request.subpath.isEmpty ? "/" : request.subpath)")
        }
    }

    private func info(_ conversation: String, event: String, callee: String? = nil) -> ProviderInfo {
        ProviderInfo(name: AudioCodesAdapter.name, recipientId: callee, event: event, callId: conversation)
    }

    private func activity(_ conversation: String, _ a: JSONValue, at now: Date) -> InboundCall? {
        guard let id = a["id"]?.idString else { return nil }
        let caller = { callers.recall(Self.callerKey(conversation), at: now) ?? conversation }
        let turnKey = VoiceKeys.turn(conversation, sequence: id)
        switch (a["type"]?.string, a["name"]?.string) {
        case ("event", "start"):
            let p = a["parameters"]
            let from = p?["caller"]?.idString ?? conversation
            let callee = p?["callee"]?.idString
            callers.remember(from, for: Self.callerKey(conversation), at: now)
            let contact = InboundContact(name: p?["callerDisplayName"]?.string, locale: a["language"]?.string).nonEmpty
            return .event(
                .callStarted, key: VoiceKeys.start(conversation), providerId: from, contact: contact,
                provider: info(conversation, event: "start", callee: callee), callee: callee)
        case ("message", _):
            var message = InboundMessage(id: id, type: .speech, text: a["text"]?.string ?? "", timestamp: a["timestamp"]?.string)
            message.confidence = a[path: "parameters", "confidence"]?.double
            return .handle(key: turnKey, providerId: caller(), message: message, provider: info(conversation, event: "message"))
        case ("event", "DTMF"):
            let digits = a["value"]?.idString ?? ""
            return .handle(
                key: turnKey, providerId: caller(), message: InboundMessage(id: id, type: .dtmf, text: digits, timestamp: a["timestamp"]?.string),
                provider: info(conversation, event: "DTMF"))
        case ("event", "noUserInput"):
            // Silence (when the bot asked for it with userNoInputTimeoutMS): an empty turn, as for the other providers.
            return .handle(
                key: turnKey, providerId: caller(), message: InboundMessage(id: id, type: .speech, text: "", timestamp: a["timestamp"]?.string),
                provider: info(conversation, event: "noUserInput"))
        case ("event", "hangup"), ("event", "conversationEnd"):
            return .event(
                .callEnded, key: VoiceKeys.end(conversation), providerId: caller(), provider: info(conversation, event: a["name"]?.string ?? "hangup"))
        default:
            return nil  // speechHypothesis, playFinished, ...: nothing for the chatbot
        }
    }

    func acknowledgement(for request: InboundRequest) -> AdapterResponse { .json("{}") }

    // MARK: Reply

    /// Bot activities. Each carries an id (derived from the request, so a retry renders the same
    /// ids) and the receive time. VoiceAI Connect listens by itself after the bot's turn: a
    /// `listen` only becomes a `config` event when it has something to set.
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse {
        let prefix = VoiceKeys.turnID(request: request)
        let timestamp = request.receivedAt.formatted(.iso8601)
        var out: [JSONValue] = []
        func add(_ members: [(String, JSONValue)]) {
            out.append(.object([("id", .string("\(prefix)-\(out.count + 1)")), ("timestamp", .string(timestamp))] + members))
        }
        loop: for action in actions {
            switch action {
            case .say(let text, let language):
                var m: [(String, JSONValue)] = [("type", .string("message")), ("text", .string(text))]
                if let language { m.append(("language", .string(language))) }
                add(m)
            case .play(let url):
                add([("type", .string("event")), ("name", .string("playUrl")), ("activityParams", .object([("playUrlUrl", .string(url))]))])
            case .listen(let timeout, let language, let hints):
                var params: [(String, JSONValue)] = []
                if let timeout {
                    params += [
                        ("userNoInputTimeoutMS", .number(String(SafeNumbers.int(timeout * 1000, clampedTo: 0...3_600_000) ?? 5000))),
                        ("userNoInputSendEvent", .bool(true)),
                    ]
                }
                if let language { params.append(("language", .string(language))) }
                if !hints.isEmpty { params.append(("sttContextPhrases", .array(hints.map(JSONValue.string)))) }
                if !params.isEmpty { add([("type", .string("event")), ("name", .string("config")), ("sessionParams", .object(params))]) }
            case .transfer(let to):
                let target = to.contains(":") ? to : "tel:" + to
                add([("type", .string("event")), ("name", .string("transfer")), ("activityParams", .object([("transferTarget", .string(target))]))])
            case .hangup:
                add([("type", .string("event")), ("name", .string("hangup"))])
                break loop
            }
        }
        return .json(JSONValue.object([("activities", .array(out))]).serialized())
    }

    private static func urlWithoutQuery(_ url: String) -> String {
        String(url[..<(url.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? url.endIndex)])
    }
}

extension AudioCodesAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let token: ConfigKey = "token"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "audiocodes"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.token], isVoice: true, methods: ["POST"], subpaths: ["", "/activities", "/refresh", "/disconnect"],
        makeAdapterInEnvironment: { AudioCodesAdapter(channel: $0, environment: $1) },
        signSample: { request, channel in request.headers.append(("Authorization", "Bearer " + channel.secret(ConfigKeys.token))) })
}
