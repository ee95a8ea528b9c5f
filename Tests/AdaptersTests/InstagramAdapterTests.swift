import Foundation
import GangwayCore
import Testing

@Suite struct InstagramAdapterTests {
    let ch = channel("instagram", secrets: ["appSecret": "ig-app-secret", "verifyToken": "ig-verify"])

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try signed(ch, body: try sample("instagram", name), contentType: "application/json"))
    }

    @Test func handshakeEchoesTheChallenge() throws {
        let a = try adapter(for: ch)
        let ok = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=987654&hub.verify_token=ig-verify")
        #expect(try a.handshake(ok) == .ok("987654"))
        let wrong = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=1&hub.verify_token=fb-verify")
        #expect(throws: AdapterError.self) { try a.handshake(wrong) }
    }

    @Test func signatureIsChecked() throws {
        let a = try adapter(for: ch)
        let good = try signed(ch, body: try sample("instagram", "text.json"), contentType: "application/json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: "sha256=zz")) }
        var tampered = good
        tampered.body[10] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
    }

    @Test func textMessageMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.providerId == "1234567890123456")
        #expect(c.key.hasPrefix("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx"))
        #expect(c.message?.text == "Habt ihr heute offen?")
        #expect(c.provider == ProviderInfo(name: "instagram", recipientId: "17841405309211844"))
    }

    @Test func storyRepliesSharesAndReels() throws {
        let calls = try calls("story-reply.json")
        #expect(calls.map(\.key) == ["ig_mid_story_reply", "ig_mid_share", "ig_mid_reel"])
        #expect(calls[0].message?.text == "Sieht lecker aus!")
        #expect(calls[0].message?.replyTo == "17998877665544332")
        #expect(calls[1].message?.type == .unsupported)
        #expect(calls[1].message?.media?.first?.url == "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18011223344556677")
        #expect(calls[2].message?.type == .video)
        #expect(calls[2].message?.media?.first?.caption == nil)
    }

    @Test func seenCarriesTheReadMid() throws {
        let c = try #require(try calls("seen.json").first)
        #expect(c.event == "user_seen_message")
        #expect(c.key == "1234567890123456:ig_mid_bot_answer:read")
        #expect(c.message?.id == "ig_mid_bot_answer")
        #expect(c.message?.timestamp == "2025-11-25T10:03:20Z")
    }

    @Test func unsendAndEchoAreIgnored() throws {
        #expect(try calls("unsend-and-echo.json").isEmpty)
    }

    @Test func unreactIsAReactionEvent() throws {
        let c = try #require(try calls("reaction.json").first)
        #expect(c.event == "message_reaction")
        #expect(c.provider.event == "unreact")
        #expect(c.message?.replyTo == "ig_mid_bot_answer")
        #expect(c.message?.text == nil)
    }

    @Test func pageObjectIsAcceptedToo() throws {
        let body = Array(
            String(decoding: try sample("instagram", "text.json"), as: UTF8.self)
                .replacingOccurrences(of: "\"object\":\"instagram\"", with: "\"object\":\"page\"").utf8)
        #expect(try adapter(for: ch).normalize(try signed(ch, body: body, contentType: "application/json")).count == 1)
    }
}
