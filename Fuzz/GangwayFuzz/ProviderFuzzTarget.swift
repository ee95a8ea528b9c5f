import Adapters
import Foundation
import GangwayCore

/// The fuzz target of one provider: bytes become a webhook for the provider's demo channel,
/// signed with `signSample` so that verification passes and the mapping is reached, then
/// hostile touches are applied; handshake, verify, normalize, the acknowledgement, the envelope
/// JSON of every call and (voice) the rendered reply run on it. Nothing may trap.
///
/// The input's layout (shorter inputs are padded with zeros):
///
/// | byte | meaning |
/// |---|---|
/// | 0 | which sample gives the subpath and content type (index modulo the number of samples) |
/// | 1 | shape: bits 0-1 content type (0, 1 the sample's; 2 the other of JSON and form; 3 a hostile one), bit 2 GET with the body as the query (when the provider takes GET), bits 3-5 the ``Game``, bits 6-7 the clock (3: received far from the signed time) |
/// | 2 | the parameter of the game, the content type or the clock |
/// | 3... | the body (for a GET: the query string) |
///
/// Invariants besides not trapping: a request signed as the provider signs it (no game, the
/// sample's content type, POST, the signed time) verifies; every envelope is JSON, byte for byte
/// what JSONEncoder writes, and decodes to itself.
public enum ProviderFuzzTarget {
    /// What is done to the signed request. Games 0 to 3 leave it as signed.
    enum Game: UInt8 {
        case none0, none1, none2, none3
        /// Every time header (and WeChat's `timestamp` query value) gets a hostile text; JWT
        /// providers get a token signed with the channel's secret whose time claims are hostile numbers.
        case hostileTime
        /// Every header is sent twice, a hostile value first.
        case duplicatedHeaders
        /// Headers of other schemes are added (a JWT header that switches Bird's scheme, garbage signatures).
        case foreignHeaders
        /// The body is replaced after signing by the raw input (what `verification: report` normalizes).
        case unsignedBody
    }

    static let timeHeaders = [
        "x-slack-request-timestamp", "webhook-timestamp", "svix-timestamp", "messagebird-request-timestamp", "telnyx-timestamp",
        "x-signature-timestamp", "x-sinch-webhook-signature-timestamp",
    ]

    static let hostileContentTypes = [
        "application/json; charset=utf-8", "application/x-www-form-urlencoded; charset=UTF-8", "text/plain", "multipart/form-data; boundary=x",
        "", "application/json\u{0}", "APPLICATION/JSON", "application/jsonx-www-form-urlencoded", "text/xml", "application/*+json",
    ]

    /// The time at which inputs are signed: fixed, so that an input means the same request every run.
    static let signedAt = Date(timeIntervalSince1970: 1_764_151_200)
    static let clockSkews: [Double] = [-1_000_000, -301, -299, 299, 301, 1_000_000, 86_400 * 365 * 100]

    /// The target `provider-<name>`, seeded with the provider's samples (each as every sample index
    /// with shape 0, so that libFuzzer starts from valid signed requests).
    public static func make(_ bench: ProviderBench) -> FuzzTarget {
        let seeds = bench.samples.enumerated().map { i, s in [UInt8(truncatingIfNeeded: i), 0, 0] + s.body }
        return FuzzTarget(name: "provider-\(bench.name)", seeds: seeds) { input in run(input, bench) }
    }

    static func run(_ input: [UInt8], _ bench: ProviderBench) -> FuzzFinding? {
        let head = Array(input.prefix(3)) + [UInt8](repeating: 0, count: max(0, 3 - input.count))
        let body = Array(input.dropFirst(3))
        let sample = bench.samples[Int(head[0]) % bench.samples.count]
        let shape = head[1]
        let parameter = Int(head[2])
        let game = Game(rawValue: (shape >> 3) & 0x7) ?? .none0
        let isGET = shape & 0x4 != 0 && bench.adapter.methods.contains("GET")

        var contentType = sample.contentType
        switch shape & 0x3 {
        case 2: contentType = contentType.contains("json") ? "application/x-www-form-urlencoded" : "application/json"
        case 3: contentType = hostileContentTypes[parameter % hostileContentTypes.count]
        default: break
        }
        var url = bench.webhookURL + sample.subpath
        var requestBody = body
        if isGET {
            url += "?" + String(decoding: body, as: UTF8.self)
            requestBody = []
        }
        var request = SampleRequest(method: isGET ? "GET" : "POST", url: url, contentType: contentType, body: requestBody, now: signedAt)
        bench.sign(&request)
        var inbound = sample.inbound(request)
        let skewed = shape >> 6 == 3
        if skewed { inbound.receivedAt = signedAt.addingTimeInterval(clockSkews[parameter % clockSkews.count]) }
        apply(game, parameter: parameter, rawBody: body, to: &inbound, bench: bench)

        let adapter = bench.adapter
        let context = { "provider-\(bench.name) sample \(sample.file) shape \(shape) game \(game)" }
        _ = try? adapter.handshake(inbound)
        var verified = true
        do { try adapter.verify(inbound) } catch { verified = false }
        if !verified, game.rawValue < 4, !skewed, !isGET, shape & 0x3 < 2, expectsVerification(bench, body: body) {
            var why = ""
            do { try adapter.verify(inbound) } catch { why = error.description }
            return FuzzFinding("\(context()): a request signed as the provider signs it was refused: \(why)")
        }
        _ = adapter.acknowledgement(for: inbound)
        // Normalized whether or not it verified: `verification: report` does so.
        guard let calls = try? adapter.normalize(inbound) else { return nil }
        for call in calls {
            for async in [nil, false] as [Bool?] {
                if let finding = UpstreamEnvelope(call: call, channel: bench.channel, async: async).fuzzCheck("\(context()) call \(call.key)") {
                    return finding
                }
            }
        }
        if let voice = adapter as? any VoiceChannelAdapter {
            let actions: [VoiceAction] = [.say(text: "x", language: nil)] + VoiceAction.listenAgain
            _ = voice.render(actions, for: inbound, callbackURL: bench.webhookURL + "/gather")
        }
        return nil
    }

    /// Whether a correctly signed request with this body must verify: always, but for Bot
    /// Framework's token, which names the activity's `serviceUrl` (a body that is no activity
    /// with one is refused, rightly), Plivo, which signs a body only as a form (one that does not
    /// parse as a form is refused, rightly), and WeChat, whose sample signer writes the ToUserName
    /// into an XML wrapper without escaping a `]]>`.
    static func expectsVerification(_ bench: ProviderBench, body: [UInt8]) -> Bool {
        switch bench.name {
        case "plivo", "plivo-voice":
            return FormField.parse(body) != nil
        case "botframework":
            guard let json = try? JSONValue.parse(body), json.isObject, json["serviceUrl"]?.string != nil else { return false }
            return true
        case "wechat":
            return !String(decoding: body, as: UTF8.self).contains("]]>")
        default:
            return true
        }
    }

    static func apply(_ game: Game, parameter: Int, rawBody: [UInt8], to request: inout InboundRequest, bench: ProviderBench) {
        switch game {
        case .none0, .none1, .none2, .none3:
            return
        case .hostileTime:
            let texts = HostileValues.timeTexts(now: UnixTime.seconds(of: signedAt))
            let text = texts[parameter % texts.count]
            var fields = request.headers.fields.map { ($0.name, timeHeaders.contains($0.name) ? text : $0.value) }
            if let token = hostileJWT(bench, parameter: parameter, body: request.body, url: request.url) {
                fields = fields.filter { $0.0 != token.header } + [(token.header, token.value)]
            }
            request.headers = HeaderFields(fields)
            if request.queryValue("timestamp") != nil {
                request.query = request.query.map { $0.name == "timestamp" ? FormField("timestamp", text) : $0 }
            }
        case .duplicatedHeaders:
            let hostile = hostileText(parameter)
            request.headers = HeaderFields(request.headers.fields.flatMap { [($0.name.uppercased(), hostile), ($0.name, $0.value)] })
        case .foreignHeaders:
            var headers = request.headers
            let hostile = hostileText(parameter)
            let extras: [(String, String)] = [
                ("messagebird-signature-jwt", "eyJhbGciOiJIUzI1NiJ9." + hostile + ".x"), ("webhook-signature", "v1," + hostile),
                ("svix-signature", hostile), ("authorization", "Bearer " + hostile), ("x-twilio-webhooks-signature-settings", "HMAC_SHA256"),
                ("x-sinch-webhook-signature-algorithm", hostile), ("content-type", hostile), ("x-forwarded-host", hostile),
            ]
            for i in 0..<(1 + parameter % 3) {
                let e = extras[(parameter + i * 3) % extras.count]
                headers.add(e.0, e.1)
            }
            request.headers = headers
        case .unsignedBody:
            request.body = rawBody
        }
    }

    static func hostileText(_ parameter: Int) -> String {
        let all = HostileValues.strings + HostileValues.numbers
        return all[parameter % all.count]
    }

    /// A token signed with the channel's own secret whose time claims are hostile numbers (Vonage's
    /// `iat`, Bird's legacy `nbf`/`exp`): the signature passes, the time checks must refuse without trapping.
    static func hostileJWT(_ bench: ProviderBench, parameter: Int, body: [UInt8], url: String) -> (header: String, value: String)? {
        let numbers = HostileValues.numbers
        let time = JSONValue.number(numbers[parameter % numbers.count])
        let payloadHash = JSONValue.string(Signatures.hex(Signatures.sha256(body)))
        switch bench.name {
        case "vonage", "vonage-voice":
            let claims = JSONValue.object([("iat", time), ("payload_hash", payloadHash), ("iss", .string("Vonage"))])
            return ("authorization", "Bearer " + JWT.signHS256(claims: claims, secret: Array(bench.channel.secret("signatureSecret").utf8)))
        case "bird":
            let claims = JSONValue.object([
                ("iss", .string("MessageBird")), ("nbf", time), ("exp", time),
                ("url_hash", .string(Signatures.hex(Signatures.sha256(Array(url.utf8))))), ("payload_hash", payloadHash),
            ])
            return ("messagebird-signature-jwt", JWT.signHS256(claims: claims, secret: Array(bench.channel.secret("signingKey").utf8)))
        default:
            return nil
        }
    }
}
