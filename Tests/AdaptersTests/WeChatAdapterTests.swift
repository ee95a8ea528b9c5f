import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct WeChatAdapterTests {
    typealias V = WeChatSDKVectors
    let ch = channel("wechat", secrets: ["token": V.token])
    let safe = channel("wechat", secrets: ["token": V.token, "encodingAESKey": V.encodingAESKey], settings: ["appId": V.appId])
    let now = Date(timeIntervalSince1970: 1_764_064_800)

    func request(_ method: String = "POST", query: String, body: [UInt8] = []) -> InboundRequest {
        InboundRequest(
            method: method, url: "https://hooks.example.com/webhooks/ch_wechat?\(query)", headers: ["content-type": "text/xml"], body: body, receivedAt: now)
    }

    var signedQuery: String { "signature=\(V.signature)&timestamp=\(V.timestamp)&nonce=\(V.nonce)&openid=oPy6x5Xz1AbCdEfGhIjKlMnOpQrS" }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = request(query: signedQuery, body: try sample("wechat", name))
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    @Test func echostrHandshakeWithWechatpysSignature() throws {
        let a = try adapter(for: ch)
        let ok = request("GET", query: "signature=\(V.signature)&timestamp=\(V.timestamp)&nonce=\(V.nonce)&echostr=5838479218127813673")
        #expect(try a.handshake(ok) == .ok("5838479218127813673"))
        let wrong = request("GET", query: "signature=\(String(repeating: "0", count: 40))&timestamp=\(V.timestamp)&nonce=\(V.nonce)&echostr=1")
        expectUnauthorized { _ = try a.handshake(wrong) }
        #expect(try a.handshake(request(query: signedQuery)) == nil)
        // Independent check of the signed string: SHA-1 of the three values sorted and joined.
        let joined = [V.token, V.timestamp, V.nonce].sorted().joined()
        #expect(Signatures.hex(Signatures.sha1(Array(joined.utf8))) == V.signature)
    }

    @Test func wrongMissingStaleAndAlteredSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let body = try sample("wechat", "text.xml")
        try a.verify(request(query: signedQuery, body: body))
        expectUnauthorized { try a.verify(request(query: "timestamp=\(V.timestamp)&nonce=\(V.nonce)", body: body)) }
        expectUnauthorized { try a.verify(request(query: "signature=\(V.signature)&timestamp=\(V.timestamp)&nonce=1", body: body)) }
        expectUnauthorized { try adapter(for: channel("wechat", secrets: ["token": "other"])).verify(request(query: signedQuery, body: body)) }
        var stale = request(query: signedQuery, body: body)
        stale.receivedAt = now.addingTimeInterval(600)
        expectUnauthorized { try a.verify(stale) }
    }

    @Test func signSampleProducesWhatVerifyAccepts() throws {
        for c in [ch, safe] {
            let req = try signed(c, body: try sample("wechat", "text.xml"), contentType: "text/xml")
            let a = try adapter(for: c)
            try a.verify(req)
            #expect(try a.normalize(req).first?.message?.text == "你好, ich hätte gern einen Termin")
        }
    }

    @Test func safeModeDecryptsWechatpysCiphertext() throws {
        let a = try adapter(for: safe)
        let req = request(
            query: "\(signedQuery)&encrypt_type=aes&msg_signature=\(V.msgSignature)", body: Array(V.encryptedBody.utf8))
        try a.verify(req)
        let c = try #require(try a.normalize(req).first)
        #expect(c.key == "24312345678901234")
        #expect(c.message?.text == "你好, ich hätte gern einen Termin")
        // Wrong msg_signature, a tampered ciphertext, no key, another app id.
        expectUnauthorized { try a.verify(request(query: "\(signedQuery)&encrypt_type=aes&msg_signature=\(V.signature)", body: req.body)) }
        var altered = Array(V.encryptedBody.utf8)
        let at = try #require(V.encryptedBody.range(of: "<Encrypt><![CDATA[")).upperBound.utf16Offset(in: V.encryptedBody) + 10
        altered[at] = altered[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        expectUnauthorized { try a.verify(request(query: "\(signedQuery)&encrypt_type=aes&msg_signature=\(V.msgSignature)", body: altered)) }
        expectUnauthorized { try adapter(for: ch).verify(req) }
        let otherApp = channel("wechat", secrets: ["token": V.token, "encodingAESKey": V.encodingAESKey], settings: ["appId": "wx0000000000000000"])
        #expect(throws: AdapterError.self) { try adapter(for: otherApp).normalize(req) }
    }

    /// Issue 12: with `encodingAESKey` set, a plaintext body passed with only the URL signature
    /// (which every access log holds), and a message for another AppID passed verify. Now only an
    /// encrypted message with a valid msg_signature, for the channel's own AppID, passes.
    @Test func safeModeAcceptsOnlyEncryptedMessagesForItsOwnAppId() throws {
        let a = try adapter(for: safe)
        let encrypted = request(query: "\(signedQuery)&encrypt_type=aes&msg_signature=\(V.msgSignature)", body: Array(V.encryptedBody.utf8))
        try a.verify(encrypted)
        // A plaintext message with a valid URL signature.
        for name in ["text.xml", "menu-click.xml", "subscribe.xml"] {
            let plain = request(query: signedQuery, body: try sample("wechat", name))
            expectUnauthorized { try a.verify(plain) }
            expectUnauthorized { _ = try a.normalize(plain) }
            // Also with a msg_signature in the query: there is no Encrypt for it to cover.
            expectUnauthorized { try a.verify(request(query: "\(signedQuery)&encrypt_type=aes&msg_signature=\(V.msgSignature)", body: plain.body)) }
        }
        // A genuine ciphertext for another AppID is refused by verify itself.
        let otherApp = channel("wechat", secrets: ["token": V.token, "encodingAESKey": V.encodingAESKey], settings: ["appId": "wx0000000000000000"])
        expectUnauthorized { try adapter(for: otherApp).verify(encrypted) }
        expectUnauthorized { _ = try adapter(for: otherApp).normalize(encrypted) }
        // Safe mode without an appId accepts nothing (and check-config refuses such a channel).
        let noAppId = channel("wechat", secrets: ["token": V.token, "encodingAESKey": V.encodingAESKey])
        expectUnauthorized { try adapter(for: noAppId).verify(encrypted) }
        expectUnauthorized { try adapter(for: noAppId).verify(request(query: signedQuery, body: try sample("wechat", "text.xml"))) }
        // A key that is not 43 characters accepts nothing either.
        let badKey = channel("wechat", secrets: ["token": V.token, "encodingAESKey": "too-short"], settings: ["appId": V.appId])
        expectUnauthorized { try adapter(for: badKey).verify(request(query: signedQuery, body: try sample("wechat", "text.xml"))) }
    }

    @Test func safeModeWithoutAppIdIsAConfigError() throws {
        let d = try #require(AdapterRegistry.standard["wechat"])
        let noAppId = channel("wechat", secrets: ["token": V.token, "encodingAESKey": V.encodingAESKey])
        #expect(d.validate(noAppId).map(\.key) == ["settings.appId"])
        #expect(d.validate(safe).isEmpty)
        #expect(d.validate(ch).isEmpty)
        // As `gangway check-config` reports it.
        let yaml = """
            upstream: { baseURL: "https://api.example.com", apiKey: k }
            channels:
              - id: ch_wechat
                name: WeChat
                provider: wechat
                chatbotId: bot_1
                secrets: { token: t, encodingAESKey: \(V.encodingAESKey) }
            """
        do {
            _ = try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: yaml)
            Issue.record("expected a config error")
        } catch {
            let fault = error.errors.first { $0.place == "channels[0].settings.appId" }
            #expect(fault?.message.hasPrefix("required") == true, "got \(error)")
        }
        // Rotating the key does not lift the rule; plaintext mode needs no appId.
        var rotated = noAppId
        rotated.secretValues["encodingAESKey"] = [Secret(V.encodingAESKey), Secret("0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")]
        #expect(d.validate(rotated).map(\.key) == ["settings.appId"])
        #expect(d.validate(channel("wechat", secrets: ["token": "t", "encodingAESKey": ""])).isEmpty)
    }

    @Test func textMapsToHandle() throws {
        let c = try #require(try calls("text.xml").first)
        #expect(c.kind == .handle)
        #expect(c.key == "24312345678901234")
        #expect(c.providerId == "oPy6x5Xz1AbCdEfGhIjKlMnOpQrS")
        #expect(c.message == InboundMessage(id: "24312345678901234", type: .text, text: "你好, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00Z"))
        #expect(c.provider == ProviderInfo(name: "wechat", recipientId: "gh_3f2e1d0c9b8a"))
    }

    @Test func mediaLocationAndLinks() throws {
        let image = try #require(try calls("image.xml").first?.message)
        #expect(image.type == .image)
        #expect(image.media == [.init(id: "MEDIA_ID_image_1", url: "http://mmbiz.qpic.cn/mmbiz_jpg/abc123/0")])
        let voice = try #require(try calls("voice.xml").first?.message)
        #expect(voice.type == .audio)
        #expect(voice.text == "明天有空吗")
        #expect(voice.media == [.init(id: "MEDIA_ID_voice_1", mimeType: "audio/amr")])
        let location = try #require(try calls("location.xml").first?.message)
        #expect(location.location == .init(latitude: 39.915119, longitude: 116.403963, name: "天安门广场"))
        let link = try #require(try calls("link.xml").first?.message)
        #expect(link.text == "Speisekarte\nhttps://example.com/menu?a=1&b=2")
    }

    @Test func eventsAreKeyedBySenderTimeAndEvent() throws {
        let sub = try #require(try calls("subscribe.xml").first)
        #expect(sub.event == "conversation_started")
        #expect(sub.key == "oPy6x5Xz1AbCdEfGhIjKlMnOpQrS:1764065000:subscribe")
        #expect(sub.message?.payload == "qrscene_winter")
        let unsub = try #require(try calls("unsubscribe.xml").first)
        #expect(unsub.event == "user_unsubscribed")
        #expect(unsub.provider.event == "unsubscribe")
        let click = try #require(try calls("menu-click.xml").first)
        #expect(click.kind == .handle)
        #expect(click.message?.payload == "MENU_BOOKING")
        #expect(click.key == "oPy6x5Xz1AbCdEfGhIjKlMnOpQrS:1764065200:CLICK")
        #expect(try calls("view.xml").isEmpty)
    }

    @Test func xmlWithoutCDATAAndEntitiesParses() throws {
        let xml =
            "<?xml version=\"1.0\"?>\n<xml>\n <ToUserName>gh_1</ToUserName>\n <FromUserName>o_1</FromUserName><CreateTime>1764064800</CreateTime><MsgType>text</MsgType><Content>a &lt;b&gt; &amp; c</Content><MsgId>1</MsgId></xml>"
        let c = try #require(try adapter(for: ch).normalize(request(query: signedQuery, body: Array(xml.utf8))).first)
        #expect(c.message?.text == "a <b> & c")
    }

    @Test func garbageIsABadRequestAndTheAnswerIsSuccess() throws {
        let a = try adapter(for: ch)
        for text in ["", "{}", "<xml><a>1</xml>", "<html></html>"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(query: signedQuery, body: Array(text.utf8))) }
        }
        #expect(a.acknowledgement(for: request(query: "")) == .ok("success"))
    }
}
