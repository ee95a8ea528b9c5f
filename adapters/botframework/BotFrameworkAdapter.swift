import Foundation
import GangwayCore

/// Microsoft Bot Framework / Azure Bot Service (Teams, Web Chat, Direct Line ...): one Activity
/// per POST with an RS256 bearer token. See README.md beside this file.
///
/// The adapter stays pure: signing keys come from an injected ``SigningKeySource``. In the
/// gateway that is its environment's ``KeyDirectory`` (``AdapterEnvironment/keys``), filled from `openIdMetadataURL` by a fetcher in
/// GangwayServer; tests inject their own keys.
struct BotFrameworkAdapter: ChannelAdapter {
    static let defaultMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    /// The US Government cloud's metadata; its channels issue ``governmentChannelIssuer`` tokens.
    static let governmentMetadataURL = "https://login.botframework.azure.us/v1/.well-known/openidconfiguration"
    /// The issuer of tokens that channels (Teams, Web Chat, ...) send (public cloud).
    static let channelIssuer = "https://api.botframework.com"
    static let governmentChannelIssuer = "https://api.botframework.us"
    /// The Entra ID issuers of Bot Framework Emulator tokens: Bot Framework's and Microsoft's own
    /// tenants, v1 and v2 token formats, public and US Government clouds. The same list as
    /// botframework-connector's `EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS`;
    /// an Entra token of any other tenant is refused, since anyone can get one of those.
    static let emulatorIssuers: Set<String> = [
        "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
        "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/",
        "https://sts.windows.net/cab8a31a-1906-4287-a0d8-4eef66b95f6e/",
        "https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.us/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
    ]
    /// Bot Framework allows 5 minutes of clock skew.
    static let leewaySeconds: Double = 300

    let appID: String
    let metadataURL: String
    let keys: any SigningKeySource

    init(channel: ChannelConfiguration, keys: any SigningKeySource) {
        appID = channel.secret(ConfigKeys.appId)
        metadataURL = channel.setting(ConfigKeys.openIdMetadataURL) ?? Self.defaultMetadataURL
        self.keys = keys
    }

    // MARK: Verification

    func verify(_ request: InboundRequest) throws(AdapterError) {
        let diagnosis = ["header": "authorization", "bodyBytes": String(request.body.count), "openIdMetadataURL": metadataURL]
        guard let token = JWT.bearerToken(request.headers) else {
            throw .unauthorized("missing Authorization: Bearer <JWT>", diagnosis: diagnosis)
        }
        let activity = try request.jsonBody()
        do throws(JWT.Failure) {
            let jwt = try JWT(token)
            guard jwt.algorithm == "RS256" else { throw JWT.Failure("JWT alg is \(jwt.algorithm ?? "missing"), expected RS256") }
            guard let kid = jwt.keyID else { throw JWT.Failure("JWT has no kid") }
            guard let key = keys.key(id: kid) else {
                throw JWT.Failure("unknown signing key \(kid) (keys are refreshed from openIdMetadataURL; a retry may pass)")
            }
            try jwt.verifyRS256(key: key)
            try jwt.checkTimes(now: request.receivedAt, leeway: Self.leewaySeconds, requireExpiry: true)
            try checkClaims(jwt, key: key, activity: activity)
        } catch {
            throw .unauthorized(error.message, diagnosis: diagnosis)
        }
    }

    /// Issuer, audience, the app id of an Emulator token, the `serviceurl` claim against the
    /// activity, and the key's endorsements.
    ///
    /// Two kinds of token pass, as in botframework-connector's `JwtTokenValidation`:
    /// - a channel token: `iss` is the channel issuer of the metadata's cloud, `aud` is the
    ///   bot's appId (`ChannelValidation.validate_identity`), `serviceurl` is required;
    /// - an Emulator token, only with a metadata URL of the channel's own: `iss` is one of
    ///   ``emulatorIssuers``, and the app it was issued to is this bot, `appid` for a `ver` 1.0
    ///   token and `azp` for 2.0 (`EmulatorValidation.authenticate_emulator_token`). Gangway
    ///   also requires `aud` to be the appId, which the Emulator's tokens carry. A token whose
    ///   app is another bot (a skill call) is refused, as the SDK does without a claims validator.
    private func checkClaims(_ jwt: JWT, key: KeySet.Key, activity: JSONValue) throws(JWT.Failure) {
        let issuer = jwt.claims["iss"]?.string ?? ""
        let channelIssuer = metadataURL == Self.governmentMetadataURL ? Self.governmentChannelIssuer : Self.channelIssuer
        let isChannelToken = issuer == channelIssuer
        let isEmulatorToken = metadataURL != Self.defaultMetadataURL && Self.emulatorIssuers.contains(issuer)
        guard isChannelToken || isEmulatorToken else { throw JWT.Failure("JWT issuer \(issuer.prefix(100)) is not accepted") }
        guard jwt.hasAudience(appID) else { throw JWT.Failure("JWT audience is not this bot's appId") }
        if isEmulatorToken {
            let appClaim: String
            switch jwt.claims["ver"]?.string {
            case "1.0", "": appClaim = "appid"
            case "2.0": appClaim = "azp"
            case nil: throw JWT.Failure("Emulator JWT has no ver claim")
            default: throw JWT.Failure("Emulator JWT has an unknown ver")
            }
            guard let app = jwt.claims[appClaim]?.string, Signatures.constantTimeEquals(app, appID) else {
                throw JWT.Failure("Emulator JWT \(appClaim) is not this bot's appId")
            }
        }
        let serviceURL = activity["serviceUrl"]?.string
        if let claim = jwt.claims["serviceurl"]?.string {
            // A token for one serviceUrl must not send the bot's replies (with its credentials) elsewhere.
            guard claim == serviceURL else { throw JWT.Failure("JWT serviceurl does not match the activity's serviceUrl") }
        } else if isChannelToken {
            throw JWT.Failure("JWT has no serviceurl claim")
        }
        if let endorsements = key.endorsements, let channelID = activity["channelId"]?.string, !endorsements.contains(channelID) {
            throw JWT.Failure("signing key is not endorsed for channel \(channelID)")
        }
    }

    // MARK: Normalization

    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] {
        let a = try request.jsonBody()
        guard a.isObject, let type = a["type"]?.string else { throw .badRequest("not a Bot Framework activity: no type") }
        guard let from = a[path: "from", "id"]?.idString else { return [] }
        // Activities without an id (rare) are keyed by their authentic bytes.
        let key = a["id"]?.idString ?? "sha256:" + Signatures.hex(Signatures.sha256(request.body).prefix(16))
        let recipient = a[path: "recipient", "id"]?.idString
        let contact = InboundContact(name: a[path: "from", "name"]?.string, locale: a["locale"]?.string).nonEmpty
        func provider(_ event: String? = nil) -> ProviderInfo { ProviderInfo(name: BotFrameworkAdapter.name, recipientId: recipient, event: event) }

        switch type {
        case "message":
            return [.handle(key: key, providerId: from, message: message(a, id: key), contact: contact, provider: provider())]
        case "messageReaction":
            guard let added = a["reactionsAdded"]?.items, !added.isEmpty else { return [] }  // only removals: nothing to say
            let msg = InboundMessage(
                id: a["id"]?.idString, type: .text, text: added.compactMap { $0["type"]?.string }.joined(separator: " "),
                timestamp: a["timestamp"]?.string, replyTo: a["replyToId"]?.string)
            return [.event(.messageReaction, key: key, providerId: from, message: msg, contact: contact, provider: provider("messageReaction"))]
        case "typing":
            return [.event(.userTyping, key: key, providerId: from, contact: contact, provider: provider("typing"))]
        case "conversationUpdate":
            guard !(a["membersAdded"]?.items ?? []).isEmpty else { return [] }
            return [.event(.conversationStarted, key: key, providerId: from, contact: contact, provider: provider("conversationUpdate"))]
        case "installationUpdate":
            switch a["action"]?.string {
            case "add": return [.event(.conversationStarted, key: key, providerId: from, contact: contact, provider: provider("installationUpdate.add"))]
            case "remove": return [.event(.userUnsubscribed, key: key, providerId: from, contact: contact, provider: provider("installationUpdate.remove"))]
            default: return []
            }
        case "event" where a["name"]?.string == "application/vnd.microsoft.readReceipt":
            let msg = InboundMessage(id: a[path: "value", "lastReadMessageId"]?.idString, type: .unsupported, timestamp: a["timestamp"]?.string)
            return [.event(.userSeenMessage, key: "\(key):read", providerId: from, message: msg, contact: contact, provider: provider("readReceipt"))]
        default:
            return []  // invoke (needs a synchronous answer), endOfConversation, messageUpdate ...: not mapped
        }
    }

    private func message(_ a: JSONValue, id: String) -> InboundMessage {
        let text = a["text"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        var msg = InboundMessage(id: id, type: .text, text: text, timestamp: a["timestamp"]?.string, replyTo: a["replyToId"]?.string)
        // Files and images; Teams also sends the message's own HTML as an attachment, which is not media.
        let media = (a["attachments"]?.items ?? []).compactMap { att -> InboundMessage.Media? in
            guard let url = att["contentUrl"]?.string ?? att[path: "content", "downloadUrl"]?.string else { return nil }
            let mime = att["contentType"]?.string
            return InboundMessage.Media(
                url: url, mimeType: mime == "application/vnd.microsoft.teams.file.download.info" ? nil : mime, filename: att["name"]?.string)
        }
        if !media.isEmpty {
            msg.media = media
            msg.type = MediaKind.messageType(mimeType: media[0].mimeType, url: media[0].filename ?? media[0].url)
        }
        if let geo = (a["entities"]?.items ?? []).lazy.compactMap({ e -> JSONValue? in
            e["type"]?.string == "GeoCoordinates" ? e : e["type"]?.string == "Place" ? e["geo"] : nil
        }).first, let lat = geo["latitude"]?.double, let lon = geo["longitude"]?.double {
            msg.type = .location
            msg.location = .init(latitude: lat, longitude: lon, name: geo["name"]?.string)
        }
        // An Adaptive Card / hero card button posts `value` (often without text): a postback.
        if let value = a["value"], text == nil || value.isObject {
            msg.type = .postback
            msg.payload = value.string ?? value.serialized()
        }
        if msg.type == .text && text == nil { msg.type = .unsupported }
        return msg
    }
}

extension BotFrameworkAdapter {
    /// Its secrets and settings, named once (descriptor, adapter, simulate, README check).
    enum ConfigKeys {
        static let appId: ConfigKey = "appId"
        static let openIdMetadataURL: ConfigKey = "openIdMetadataURL"
    }

    /// The provider's config name (`provider:`), also `provider.name` of its calls.
    static let name = "botframework"
    static let descriptor = ProviderDescriptor(
        name: name, requiredSecrets: [ConfigKeys.appId], settings: [ConfigKeys.openIdMetadataURL], canSignSamples: false,
        makeAdapterInEnvironment: { channel, environment in
            let url = channel.setting(ConfigKeys.openIdMetadataURL) ?? BotFrameworkAdapter.defaultMetadataURL
            return BotFrameworkAdapter(channel: channel, keys: environment.keys.source(for: url))
        },
        // Bot Framework signs with Microsoft's private keys: a sample cannot be signed here, so
        // `gangway simulate` sends it unsigned and the gateway answers 401 (see README.md).
        signSample: { _, _ in })
}
