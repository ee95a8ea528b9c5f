import Foundation
import GangwayCore
import Testing
import _CryptoExtras

/// Bot Framework signs with Microsoft's keys; these tests sign with their own RSA key, served to
/// the adapter through the test environment's ``KeyDirectory`` under a metadata URL of their own.
@Suite struct BotFrameworkAdapterTests {
    static let appID = "00000000-0000-0000-0000-000000000abc"
    static let metadataURL = "https://login.test.invalid/botframework-tests/openidconfiguration"
    static let signer = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let stranger = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let installKeys: Void = {
        let p = try! signer.publicKey.getKeyPrimitives()
        let jwks = JSONValue.object([
            (
                "keys",
                .array([
                    .object([
                        ("kty", .string("RSA")), ("use", .string("sig")), ("kid", .string("test-key-1")),
                        ("n", .string(JWT.base64URL(p.modulus))), ("e", .string(JWT.base64URL(p.publicExponent))),
                        ("endorsements", .array([.string("msteams"), .string("webchat")])),
                    ])
                ])
            )
        ])
        testEnvironment.keys.update(metadataURL, keys: KeySet(jwks: jwks))
    }()

    let ch = channel("botframework", secrets: ["appId": appID], settings: ["openIdMetadataURL": metadataURL])

    init() { _ = Self.installKeys }

    /// A channel token as Bot Framework issues it, for this activity.
    func token(
        for activity: JSONValue, at now: Date, iss: String = "https://api.botframework.com", aud: String = appID,
        serviceURL: String? = nil, omitServiceURL: Bool = false, expiresIn: Double = 3600, kid: String = "test-key-1", key: _RSA.Signing.PrivateKey = signer,
        extra: [(String, JSONValue)] = []
    ) throws -> String {
        var claims: [(String, JSONValue)] = [
            ("iss", .string(iss)), ("aud", .string(aud)), ("nbf", .number(String(Int(now.timeIntervalSince1970) - 60))),
            ("exp", .number(String(Int(now.timeIntervalSince1970 + expiresIn)))),
        ]
        if !omitServiceURL, let url = serviceURL ?? activity["serviceUrl"]?.string { claims.append(("serviceurl", .string(url))) }
        claims += extra
        return try #require(JWT.signRS256(claims: .object(claims), key: key, keyID: kid))
    }

    func request(_ name: String, now: Date = Date(), tweak: (JSONValue, Date) throws -> String? = { _, _ in nil }) throws -> InboundRequest {
        let body = try sample("botframework", name)
        let activity = try JSONValue.parse(body)
        var headers = HeaderFields()
        headers.add("Authorization", "Bearer " + (try tweak(activity, now) ?? token(for: activity, at: now)))
        headers.add("Content-Type", "application/json")
        return InboundRequest(method: "POST", url: "https://hooks.example.com/webhooks/ch_botframework", headers: headers, body: body, receivedAt: now)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try request(name))
    }

    @Test func sdkAcceptedTokensVerify() throws {
        // Tests/e2e/sdk_vectors_botframework.py: PyJWT-signed channel tokens that Microsoft's
        // botframework-connector accepted for the same activity, key (JWK n, e) and app id.
        let url = "https://login.test.invalid/sdk-vectors/openidconfiguration"
        let key = try #require(
            KeySet.Key(id: BotFrameworkSDKVectors.keyID, n: BotFrameworkSDKVectors.n, e: BotFrameworkSDKVectors.e, endorsements: ["msteams", "webchat"]))
        testEnvironment.keys.update(url, keys: KeySet([key]))
        let a = try adapter(for: channel("botframework", secrets: ["appId": BotFrameworkSDKVectors.appID], settings: ["openIdMetadataURL": url]))
        #expect(BotFrameworkSDKVectors.all.count == 8)
        for v in BotFrameworkSDKVectors.all {
            var headers = HeaderFields()
            headers.add("Authorization", "Bearer " + v.token)
            let request = InboundRequest(
                method: "POST", url: "https://hooks.example.com/webhooks/ch_botframework", headers: headers,
                body: try sample("botframework", v.sample), receivedAt: Date(timeIntervalSince1970: BotFrameworkSDKVectors.now))
            try a.verify(request)
        }
    }

    @Test func goodChannelTokenVerifies() throws {
        let a = try adapter(for: ch)
        try a.verify(try request("text.json"))
        try a.verify(try request("attachment.json"))
        // Within the 5-minute clock tolerance after exp.
        try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, expiresIn: -200) })
    }

    @Test func wrongAudienceIssuerExpiryKeyOrSignatureAreRefused() throws {
        let a = try adapter(for: ch)
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, aud: "another-bot") }) }
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, iss: "https://evil.example") }) }
        // Entra ID issuers only with a metadata URL of their own, never with Bot Framework's default one.
        // (Fixture changed for issue 12: an Emulator v2 token of a tenant in the SDK's list, issued to this bot.)
        let entra = "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0"
        try a.verify(
            try request("text.json") { activity, now in
                try token(for: activity, at: now, iss: entra, extra: [("ver", .string("2.0")), ("azp", .string(Self.appID))])
            })
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, expiresIn: -301) }) }
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, kid: "rotated-away") }) }
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, key: Self.stranger) }) }
        expectUnauthorized { try a.verify(try request("text.json").replacingHeader("Authorization", with: nil)) }
        expectUnauthorized { try a.verify(try request("text.json").replacingHeader("Authorization", with: "Bearer abc.def.ghi")) }
        // An HS256 token is refused whatever its secret (the algorithm is pinned to RS256).
        expectUnauthorized {
            try a.verify(try request("text.json") { _, _ in JWT.signHS256(claims: .object([("aud", .string(Self.appID))]), secret: Array("x".utf8)) })
        }
    }

    /// Issue 12: with a custom `openIdMetadataURL` (Entra ID's keys sign every tenant's tokens)
    /// any tenant's issuer passed with only `aud` checked. Now, as botframework-connector's
    /// `EmulatorValidation`: the issuer must be one of the SDK's Emulator issuers (Bot Framework's
    /// and Microsoft's tenants) and the token must be issued to this bot (`appid` for ver 1.0,
    /// `azp` for ver 2.0); `aud` stays the appId.
    @Test func emulatorTokensNeedAListedTenantAndThisBotAsTheirApp() throws {
        let a = try adapter(for: ch)
        let v1 = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
        let v2 = "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0"
        func verify(iss: String, aud: String = Self.appID, _ claims: [(String, String)]) throws {
            try a.verify(
                try request("text.json") { activity, now in
                    try token(for: activity, at: now, iss: iss, aud: aud, extra: claims.map { ($0.0, JSONValue.string($0.1)) })
                })
        }
        // Any other tenant, even with every claim naming this bot: anyone can get such a token.
        let attacker = "0badc0de-0000-4000-8000-00000000a77c"
        expectUnauthorized { try verify(iss: "https://login.microsoftonline.com/\(attacker)/v2.0", [("ver", "2.0"), ("azp", Self.appID)]) }
        expectUnauthorized { try verify(iss: "https://sts.windows.net/\(attacker)/", [("ver", "1.0"), ("appid", Self.appID)]) }
        expectUnauthorized { try verify(iss: "https://login.microsoftonline.com/\(attacker)/v2.0", []) }
        // A listed tenant, but issued to another app (another bot calling as a skill, or anyone's app).
        expectUnauthorized { try verify(iss: v2, [("ver", "2.0"), ("azp", "11111111-2222-3333-4444-555555555555")]) }
        expectUnauthorized { try verify(iss: v1, [("ver", "1.0"), ("appid", "11111111-2222-3333-4444-555555555555")]) }
        // The app claim of the token's version only; no ver, or an unknown one.
        expectUnauthorized { try verify(iss: v2, [("ver", "2.0"), ("appid", Self.appID)]) }
        expectUnauthorized { try verify(iss: v1, [("ver", "1.0"), ("azp", Self.appID)]) }
        expectUnauthorized { try verify(iss: v2, [("azp", Self.appID), ("appid", Self.appID)]) }
        expectUnauthorized { try verify(iss: v2, [("ver", "3.0"), ("azp", Self.appID), ("appid", Self.appID)]) }
        // aud is still this bot.
        expectUnauthorized { try verify(iss: v2, aud: "another-bot", [("ver", "2.0"), ("azp", Self.appID)]) }
        // The channel issuer is the public cloud's for a metadata URL that is not the US Government's.
        expectUnauthorized { try verify(iss: "https://api.botframework.us", []) }

        // What the Emulator sends passes: a listed tenant, this bot as the token's app.
        try verify(iss: v1, [("ver", "1.0"), ("appid", Self.appID)])
        try verify(iss: v2, [("ver", "2.0"), ("azp", Self.appID)])
        try verify(iss: "https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0", [("ver", "2.0"), ("azp", Self.appID)])
    }

    @Test func serviceURLClaimAndEndorsementsBindTheTokenToTheActivity() throws {
        let a = try adapter(for: ch)
        expectUnauthorized {
            try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, serviceURL: "https://attacker.example/") })
        }
        // A channel token without serviceurl is refused.
        expectUnauthorized { try a.verify(try request("text.json") { activity, now in try token(for: activity, at: now, omitServiceURL: true) }) }
        // The activity's serviceUrl changed after the token was issued.
        var tampered = try request("text.json")
        let body = String(decoding: tampered.body, as: UTF8.self)
        tampered.body = Array(body.replacingOccurrences(of: "https://smba.trafficmanager.net/emea/", with: "https://attacker.example/").utf8)
        expectUnauthorized { try a.verify(tampered) }
        // The key is endorsed for msteams and webchat only.
        var otherChannel = try request("text.json")
        otherChannel.body = Array(body.replacingOccurrences(of: "\"msteams\"", with: "\"skype\"").utf8)
        expectUnauthorized { try a.verify(otherChannel) }
    }

    @Test func diagnosisNamesTheCheckNotTheToken() throws {
        let bad = try request("text.json") { activity, now in try token(for: activity, at: now, aud: "another-bot") }
        do {
            try adapter(for: ch).verify(bad)
            Issue.record("expected unauthorized")
        } catch let error as AdapterError {
            #expect(error.message.contains("audience"))
            #expect(error.diagnosis["openIdMetadataURL"] == Self.metadataURL)
            let token = try #require(JWT.bearerToken(bad.headers))
            #expect(!error.description.contains(token) && !error.diagnosis.values.contains(token))
        }
    }

    @Test func unknownKidAsksTheDirectoryForARefresh() throws {
        let url = "https://login.test.invalid/refresh-test/\(UUID().uuidString)"
        let a = try adapter(for: channel("botframework", secrets: ["appId": Self.appID], settings: ["openIdMetadataURL": url]))
        testEnvironment.keys.update(url, keys: KeySet(), at: Date(timeIntervalSince1970: 0))
        expectUnauthorized { try a.verify(try request("text.json")) }
        #expect(testEnvironment.keys.urlsDue(now: Date(timeIntervalSince1970: 120)).contains(url))
    }

    @Test func teamsTextMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "1795000000123")
        #expect(c.providerId == "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw")
        #expect(
            c.message == InboundMessage(id: "1795000000123", type: .text, text: "Hi bot, what are your opening hours?", timestamp: "2026-11-24T10:00:00.123Z"))
        #expect(c.contact == InboundContact(name: "Megan Bowen", locale: "en-US"))
        #expect(c.provider == ProviderInfo(name: "botframework", recipientId: "28:00000000-0000-0000-0000-000000000abc"))
    }

    @Test func attachmentsCardSubmitsAndReactions() throws {
        let file = try #require(try calls("attachment.json").first)
        #expect(file.message?.type == .image)
        #expect(
            file.message?.media == [
                .init(
                    url: "https://webchat.botframework.com/attachments/4Xq9dTn2Kb1-eu/0000002/0/screenshot.png?t=AbCdEf", mimeType: "image/png",
                    filename: "screenshot.png")
            ])
        #expect(file.contact == InboundContact(name: "Guest", locale: "de-DE"))

        let submit = try #require(try calls("card-submit.json").first)
        #expect(submit.message?.type == .postback)
        #expect(submit.message?.payload == #"{"action":"book","slot":"2026-11-25T09:00"}"#)
        #expect(submit.message?.replyTo == "1795000000300")

        let reaction = try #require(try calls("reaction.json").first)
        #expect(reaction.kind == .event)
        #expect(reaction.event == "message_reaction")
        #expect(reaction.message?.text == "like")
        #expect(reaction.message?.replyTo == "1795000000300")
    }

    @Test func typingConversationUpdateAndReadReceipts() throws {
        #expect(try calls("typing.json").first?.event == "user_typing")
        let start = try #require(try calls("conversation-update.json").first)
        #expect(start.event == "conversation_started")
        #expect(start.providerId == "dl_8c5b0d6f2a")
        let read = try #require(try calls("read-receipt.json").first)
        #expect(read.event == "user_seen_message")
        #expect(read.key == "1795000000999:read")
        #expect(read.message?.id == "1795000000300")
        #expect(try calls("invoke.json").isEmpty)
    }

    @Test func garbageIsRejected() throws {
        let a = try adapter(for: ch)
        var broken = try request("text.json")
        broken.body = Array("{".utf8)
        #expect(throws: AdapterError.self) { try a.normalize(broken) }
        #expect(throws: AdapterError.self) { try a.verify(broken) }
        broken.body = Array(#"{"id":"1"}"#.utf8)
        #expect(throws: AdapterError.self) { try a.normalize(broken) }
    }
}
