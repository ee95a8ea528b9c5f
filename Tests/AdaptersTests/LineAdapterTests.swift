import Foundation
import GangwayCore
import Testing

@Suite struct LineAdapterTests {
    let ch = channel("line", secrets: ["channelSecret": "gangway-line-channel-secret"])

    func request(_ body: [UInt8], signature: String?) -> InboundRequest {
        var headers: HeaderFields = ["content-type": "application/json"]
        if let signature { headers.add("x-line-signature", signature) }
        return InboundRequest(method: "POST", url: "https://hooks.example.com/webhooks/ch_line", headers: headers, body: body)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = try signed(ch, body: try sample("line", name), contentType: "application/json")
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    /// providers.md's vector (computed with line-bot-sdk): the console's Verify request.
    @Test func publishedVectorVerifiesAndMapsToNothing() throws {
        let docs = channel("line", secrets: ["channelSecret": "testsecret"])
        let req = request(try sample("line", "verify.json"), signature: "oemXNsMP4p9qktaylLUNzyYQct2sH6rFE6r5FqtUlUo=")
        let a = try adapter(for: docs)
        try a.verify(req)
        #expect(try a.normalize(req).isEmpty)
    }

    /// Signatures computed by line-bot-sdk (Tests/e2e/sdk_vectors_line.py).
    @Test(arguments: LineSDKVectors.all)
    func lineSDKSignaturesVerify(_ v: LineSDKVectors.Vector) throws {
        let a = try adapter(for: channel("line", secrets: ["channelSecret": v.secret]))
        try a.verify(request(try sample("line", v.sample), signature: v.signature))
    }

    @Test func wrongMissingAndTamperedSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let good = try signed(ch, body: try sample("line", "text.json"), contentType: "application/json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Line-Signature", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Line-Signature", with: "not base64 !")) }
        // The hex form of the right HMAC is not what LINE sends.
        let hex = Signatures.hex(Signatures.hmac(.sha256, key: "gangway-line-channel-secret", message: good.body))
        expectUnauthorized { try a.verify(good.replacingHeader("X-Line-Signature", with: hex)) }
        var tampered = good
        tampered.body[30] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
    }

    @Test func textMessageMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "01H810YECXQQZ37VAXPF6H9E6T")
        #expect(c.providerId == "U4af4980629a0f3c1a1d3e8a6e4f2b8c7")
        #expect(
            c.message == InboundMessage(id: "468789577898262530", type: .text, text: "こんにちは, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00Z"))
        #expect(
            c.provider
                == ProviderInfo(
                    name: "line", recipientId: "U9f3a1c2b4d5e6f708192a3b4c5d6e7f8", event: "message", replyToken: "38ef843bde154d9b91c21320ffd17a0f"))
    }

    @Test func batchKeepsLinesOrderAndMapsEachKind() throws {
        let calls = try calls("batch.json")
        #expect(calls.map(\.key) == (1...6).map { "01H810YECXQQZ37VAXPF6H9E6\($0)" })
        #expect(calls[0].message?.type == .image)
        #expect(calls[0].message?.media == [.init(id: "468789577898262531")])
        #expect(
            calls[1].message?.location
                == .init(latitude: 35.65910807942215, longitude: 139.70372892916203, name: "Tokyo Tower", address: "4 Chome-2-8 Shibakoen, Minato City, Tokyo"))
        #expect(calls[2].message?.type == .postback)
        #expect(calls[2].message?.payload == "action=book&slot=10")
        #expect(calls[2].provider.event == "postback")
        #expect(calls[3].message?.type == .sticker)
        #expect(calls[3].message?.text == "Thumbs up")
        #expect(calls[3].providerId == "U0c229f96c4e1234567890abcdef01234")
        #expect(calls[4].message?.replyTo == "468789577898262500")
        #expect(calls[5].message?.type == .document)
        #expect(calls[5].message?.media?.first?.filename == "offer.pdf")
    }

    @Test func followAndUnfollowAreEvents() throws {
        let calls = try calls("follow-unfollow.json")
        #expect(calls.map(\.event) == ["conversation_started", "user_unsubscribed"])
        #expect(calls.map(\.provider.event) == ["follow", "unfollow"])
        #expect(calls.map(\.providerId) == ["U4af4980629a0f3c1a1d3e8a6e4f2b8c7", "U0c229f96c4e1234567890abcdef01234"])
    }

    @Test func unsendJoinAndStandbyAreIgnored() throws {
        #expect(try calls("ignored.json").isEmpty)
    }

    @Test func garbageIsABadRequest() throws {
        let a = try adapter(for: ch)
        for text in ["", "{", "[]", "{\"destination\":\"U1\"}"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8), signature: nil)) }
        }
    }
}
