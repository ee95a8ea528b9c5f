import Adapters
import Foundation
import GangwayCore
import GangwayFuzz
import Testing

/// What one provider's proof of origin covers, as the forgery matrix asserts it. One row per
/// provider (WeChat twice: safe mode, the demo's, and plaintext mode); the README's table "What
/// each provider's signature protects" says the same in words.
struct ForgeryScheme: Sendable, CustomTestStringConvertible {
    /// Where the proof travels.
    enum Proof: Sendable {
        case header(String)
        case query(String)
    }

    /// Whether a part of the request is covered.
    enum Coverage: Sendable {
        /// Any change is refused by verify.
        case covered
        /// Refused by verify, or it changes nothing the gateway forwards (the same calls), or the
        /// mapping refuses it; the text says which part is covered.
        case partly(String)
        /// Not covered: the matrix asserts that a changed request still verifies (the documented
        /// limitation), so that covering it later shows up here.
        case no(String)
    }

    /// The provider's signed time.
    enum Time: Sendable {
        /// A time the signature covers, in `place`; `sign` signs a request as the provider would
        /// with the given text as that time. In a JWT (`isJSON`) the time is a NumericDate: a
        /// JSON number, fractions allowed (RFC 7519), so `<now>.0` is the current time there.
        case signed(place: String, sign: TimeSigner, isJSON: Bool = false)
        /// No signed time: an old request verifies; only dedup stops its replay.
        case none
    }

    typealias TimeSigner = @Sendable (inout SampleRequest, ChannelConfiguration, String) -> Void

    /// How "signed with another key" is made.
    enum WrongKey: Sendable {
        /// Every secret of the channel changed, then signed as the provider signs.
        case otherSecrets
        /// The provider signs with its own private key (Ed25519): signed with the demo key, verified by
        /// a channel whose public key (the named secret, hex or base64) is another one.
        case otherPublicKey(secret: String, hex: Bool)
        /// Bot Framework: a token signed with ``BotFrameworkTestKey/stranger``.
        case strangerRSA
    }

    var label: String
    var provider: String
    var proof: [Proof]
    var body: Coverage
    var url: Coverage
    var time: Time
    /// What a GET with the parameters in the query gets, for providers whose callbacks can be GETs.
    enum GETQuery: Sendable {
        /// A GET verifies, and a changed query value is refused.
        case covered
        /// Every GET is refused: the signature would not cover its query.
        case refused(String)
    }

    /// nil: the provider sends no GET with parameters (a GET is at most a handshake).
    var getQuery: GETQuery?
    var wrongKey: WrongKey = .otherSecrets
    /// What the dedup key of a replay is.
    var replayKey: String
    /// Changes the demo channel (WeChat's plaintext mode drops `encodingAESKey`).
    var channel: @Sendable (ChannelConfiguration) -> ChannelConfiguration = { $0 }

    var testDescription: String { label }

    /// Headers, by name, of the proof (query parameters are left out).
    var proofHeaders: [String] {
        proof.compactMap { if case .header(let name) = $0 { name } else { nil } }
    }

    var hasSignedTime: Bool {
        if case .signed = time { true } else { false }
    }

    var hasJSONTime: Bool {
        if case .signed(_, _, true) = time { true } else { false }
    }
}

extension ForgeryScheme {
    static let meta = "Meta's X-Hub-Signature-256 is an HMAC of the body only"

    /// The table. A new provider needs a row here (a test checks that every registered provider has one).
    static let all: [ForgeryScheme] = [
        ForgeryScheme(
            label: "audiocodes", provider: "audiocodes", proof: [.header("authorization")],
            body: .no("a static bearer token covers nothing of the request"), url: .no("bearer token"), time: .none,
            replayKey: "conversation id + activity id"),
        ForgeryScheme(
            label: "bird", provider: "bird", proof: [.header("messagebird-signature"), .header("messagebird-request-timestamp")],
            body: .covered, url: .covered, time: .signed(place: "messagebird-request-timestamp", sign: birdSigner), replayKey: "message id"),
        ForgeryScheme(
            label: "botframework", provider: "botframework", proof: [.header("authorization")],
            body: .no("the RS256 token names the bot (aud) and the activity's serviceUrl, nothing else of the body"),
            url: .no("the token is not bound to the URL"), time: .signed(place: "JWT nbf/exp", sign: botFrameworkSigner, isJSON: true),
            wrongKey: .strangerRSA, replayKey: "activity id"),
        ForgeryScheme(
            label: "discord", provider: "discord", proof: [.header("x-signature-ed25519"), .header("x-signature-timestamp")],
            body: .covered, url: .no("Ed25519 over timestamp + body"), time: .signed(place: "x-signature-timestamp", sign: discordSigner),
            wrongKey: .otherPublicKey(secret: "publicKey", hex: true), replayKey: "interaction id"),
        ForgeryScheme(
            label: "infobip", provider: "infobip", proof: [.header("authorization")],
            body: .no("Basic credentials cover nothing of the request"), url: .no("Basic credentials"), time: .none,
            replayKey: "message id"),
        ForgeryScheme(
            label: "instagram", provider: "instagram", proof: [.header("x-hub-signature-256")], body: .covered, url: .no(meta),
            time: .none, replayKey: "message id (mid)"),
        ForgeryScheme(
            label: "line", provider: "line", proof: [.header("x-line-signature")], body: .covered, url: .no("HMAC of the body only"),
            time: .none, replayKey: "webhookEventId"),
        ForgeryScheme(
            label: "messenger", provider: "messenger", proof: [.header("x-hub-signature-256")], body: .covered, url: .no(meta),
            time: .none, replayKey: "message id (mid)"),
        ForgeryScheme(
            label: "plivo", provider: "plivo", proof: [.header("x-plivo-signature-v3"), .header("x-plivo-signature-v3-nonce")],
            body: .covered, url: .covered, time: .none, getQuery: .covered, replayKey: "MessageUUID"),
        ForgeryScheme(
            label: "plivo-voice", provider: "plivo-voice", proof: [.header("x-plivo-signature-v3"), .header("x-plivo-signature-v3-nonce")],
            body: .covered, url: .covered, time: .none, getQuery: .covered, replayKey: "CallUUID + turn hash"),
        ForgeryScheme(
            label: "sinch", provider: "sinch",
            proof: [.header("x-sinch-webhook-signature"), .header("x-sinch-webhook-signature-nonce"), .header("x-sinch-webhook-signature-timestamp")],
            body: .covered, url: .no("HMAC of body, nonce and timestamp"),
            time: .signed(place: "x-sinch-webhook-signature-timestamp", sign: sinchSigner), replayKey: "message id"),
        ForgeryScheme(
            label: "slack", provider: "slack", proof: [.header("x-slack-signature"), .header("x-slack-request-timestamp")],
            body: .covered, url: .no("HMAC of timestamp and body"), time: .signed(place: "x-slack-request-timestamp", sign: slackSigner),
            replayKey: "event_id"),
        ForgeryScheme(
            label: "telegram", provider: "telegram", proof: [.header("x-telegram-bot-api-secret-token")],
            body: .no("the secret token is a static header: it covers nothing of the request"), url: .no("static token"), time: .none,
            replayKey: "update_id"),
        ForgeryScheme(
            label: "telnyx", provider: "telnyx", proof: [.header("telnyx-signature-ed25519"), .header("telnyx-timestamp")],
            body: .covered, url: .no("Ed25519 over timestamp|body"), time: .signed(place: "telnyx-timestamp", sign: telnyxSigner),
            wrongKey: .otherPublicKey(secret: "publicKey", hex: false), replayKey: "message id"),
        ForgeryScheme(
            label: "telnyx-voice", provider: "telnyx-voice", proof: [.header("telnyx-signature-ed25519"), .header("telnyx-timestamp")],
            body: .covered, url: .no("Ed25519 over timestamp|body"), time: .signed(place: "telnyx-timestamp", sign: telnyxSigner),
            getQuery: .refused("Telnyx signs timestamp|body, so a GET's query would not be covered"),
            wrongKey: .otherPublicKey(secret: "publicKey", hex: false), replayKey: "CallSid + SequenceNumber"),
        ForgeryScheme(
            label: "twilio", provider: "twilio", proof: [.header("x-twilio-signature")], body: .covered, url: .covered, time: .none,
            replayKey: "MessageSid"),
        ForgeryScheme(
            label: "twilio-voice", provider: "twilio-voice", proof: [.header("x-twilio-signature")], body: .covered, url: .covered,
            time: .none, getQuery: .covered, replayKey: "CallSid + turn hash"),
        ForgeryScheme(
            label: "viber", provider: "viber", proof: [.header("x-viber-content-signature")], body: .covered,
            url: .no("HMAC of the body only"), time: .none, replayKey: "message_token"),
        ForgeryScheme(
            label: "vonage", provider: "vonage", proof: [.header("authorization")], body: .covered,
            url: .no("the JWT's payload_hash covers the body, nothing of the URL"), time: .signed(place: "JWT iat", sign: vonageSigner, isJSON: true),
            replayKey: "message_uuid"),
        ForgeryScheme(
            label: "vonage-voice", provider: "vonage-voice", proof: [.header("authorization")], body: .covered,
            url: .no("host and path are not covered; a GET's query is (payload_hash)"), time: .signed(place: "JWT iat", sign: vonageSigner, isJSON: true),
            getQuery: .covered, replayKey: "call uuid + turn hash"),
        ForgeryScheme(
            label: "webhook", provider: "webhook", proof: [.header("webhook-id"), .header("webhook-timestamp"), .header("webhook-signature")],
            body: .covered, url: .no("HMAC of id, timestamp and body"), time: .signed(place: "webhook-timestamp", sign: standardWebhooksSigner),
            replayKey: "webhook-id"),
        ForgeryScheme(
            label: "wechat", provider: "wechat", proof: [.query("signature"), .query("timestamp"), .query("nonce"), .query("msg_signature")],
            body: .partly("safe mode: msg_signature covers the Encrypt element; the XML around it carries nothing that is forwarded"),
            url: .no("the query signature covers token, timestamp and nonce only"), time: .signed(place: "timestamp query parameter", sign: weChatSigner),
            replayKey: "MsgId (events: sender + CreateTime)"),
        ForgeryScheme(
            label: "wechat (plaintext mode)", provider: "wechat", proof: [.query("signature"), .query("timestamp"), .query("nonce")],
            body: .no("plaintext mode: the signature covers token, timestamp and nonce, not the body"),
            url: .no("the query signature covers token, timestamp and nonce only"), time: .signed(place: "timestamp query parameter", sign: weChatSigner),
            replayKey: "MsgId (events: sender + CreateTime)",
            channel: { ch in
                var ch = ch
                ch.secretValues["encodingAESKey"] = nil
                return ch
            }),
        ForgeryScheme(
            label: "whatsapp", provider: "whatsapp", proof: [.header("x-hub-signature-256")], body: .covered, url: .no(meta),
            time: .none, replayKey: "message id (wamid)"),
    ]
}

// MARK: Signers with a chosen time text (each re-implements the provider's scheme from its documentation)

extension ForgeryScheme {
    /// The demo Ed25519 seed (0, 1, ... 31) that `simulate` signs Discord and Telnyx samples with.
    static let demoSeed: [UInt8] = Array(0...31)

    static let slackSigner: TimeSigner = { request, channel, time in
        let mac = Signatures.hmac(.sha256, key: channel.secret("signingSecret"), message: Array("v0:\(time):".utf8) + request.body)
        request.headers += [("X-Slack-Request-Timestamp", time), ("X-Slack-Signature", "v0=" + Signatures.hex(mac))]
    }

    static let standardWebhooksSigner: TimeSigner = { request, channel, time in
        let secret = channel.secret("secret")
        let key = Data(base64Encoded: secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret).map(Array.init) ?? Array(secret.utf8)
        let id = "msg_forgery_matrix"
        let mac = Signatures.hmac(.sha256, key: key, message: Array("\(id).\(time).".utf8) + request.body)
        request.headers += [("webhook-id", id), ("webhook-timestamp", time), ("webhook-signature", "v1," + Signatures.base64(mac))]
    }

    static let birdSigner: TimeSigner = { request, channel, time in
        let mac = Signatures.hmac(
            .sha256, key: channel.secret("signingKey"), message: Array("\(time)\n\(request.url)\n".utf8) + Signatures.sha256(request.body))
        request.headers += [("messagebird-request-timestamp", time), ("messagebird-signature", Signatures.base64(mac))]
    }

    static let telnyxSigner: TimeSigner = { request, _, time in
        let signature = Signatures.signEd25519(seed: demoSeed, message: Array("\(time)|".utf8) + request.body) ?? []
        request.headers += [("telnyx-timestamp", time), ("telnyx-signature-ed25519", Signatures.base64(signature))]
    }

    static let discordSigner: TimeSigner = { request, _, time in
        let signature = Signatures.signEd25519(seed: demoSeed, message: Array(time.utf8) + request.body) ?? []
        request.headers += [("X-Signature-Ed25519", Signatures.hex(signature)), ("X-Signature-Timestamp", time)]
    }

    static let sinchSigner: TimeSigner = { request, channel, time in
        let nonce = "forgery-matrix-nonce"
        let mac = Signatures.hmac(.sha256, key: channel.secret("webhookSecret"), message: request.body + Array(".\(nonce).\(time)".utf8))
        request.headers += [
            ("x-sinch-webhook-signature-timestamp", time), ("x-sinch-webhook-signature-nonce", nonce),
            ("x-sinch-webhook-signature-algorithm", "HmacSHA256"), ("x-sinch-webhook-signature", Signatures.base64(mac)),
        ]
    }

    /// WeChat: `signSample` encrypts (safe mode); then the query is signed again with `time`.
    static let weChatSigner: TimeSigner = { request, channel, time in
        guard let descriptor = AdapterRegistry.standard["wechat"] else { return }
        descriptor.signSample(&request, channel)
        let token = channel.secret("token")
        let base = String(request.url.prefix { $0 != "?" })
        var query = FormField.parseQuery(ofURL: request.url)
        let nonce = query[field: "nonce"] ?? ""
        func sha1(_ parts: [String]) -> String { Signatures.hex(Signatures.sha1(Array(parts.sorted().joined().utf8))) }
        query = query.map { field in
            switch field.name {
            case "timestamp": FormField("timestamp", time)
            case "signature": FormField("signature", sha1([token, time, nonce]))
            case "msg_signature": FormField("msg_signature", sha1([token, time, nonce, encryptElement(request.body) ?? ""]))
            default: field
            }
        }
        request.url = base + "?" + FormField.encode(query)
    }

    static func encryptElement(_ body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let start = text.range(of: "<Encrypt><![CDATA["), let end = text.range(of: "]]></Encrypt>", range: start.upperBound..<text.endIndex)
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    /// A time text as a JSON claim: a JSON number when it is one, else a string.
    static func jsonTime(_ text: String) -> JSONValue {
        let isNumber = text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
        return isNumber ? .number(text) : .string(text)
    }

    static let vonageSigner: TimeSigner = { request, channel, time in
        let payload =
            request.method == "GET"
            ? Array(
                JSONValue.object(FormField.parseQuery(ofURL: request.url).map { ($0.name, .string($0.value)) }).serialized().utf8) : request.body
        let claims = JSONValue.object([
            ("iat", jsonTime(time)), ("jti", .string("forgery-matrix")), ("iss", .string("Vonage")),
            ("payload_hash", .string(Signatures.hex(Signatures.sha256(payload)))),
        ])
        request.headers.append(("Authorization", "Bearer " + JWT.signHS256(claims: claims, secret: Array(channel.secret("signatureSecret").utf8))))
    }

    /// Bot Framework: `nbf` one minute before `time`, `exp` an hour after (both `time` itself when it is no number).
    static let botFrameworkSigner: TimeSigner = { request, channel, time in
        let t = UnixTime.seconds(time)
        let claims = BotFrameworkTestKey.claims(
            appID: channel.secret("appId"), activityBody: request.body, now: request.now,
            notBefore: t.map { .number(String($0 - 60)) } ?? jsonTime(time), expires: t.map { .number(String($0 + 3600)) } ?? jsonTime(time))
        BotFrameworkTestKey.sign(&request, appID: channel.secret("appId"), claims: claims)
    }
}
