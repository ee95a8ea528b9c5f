import Foundation
import GangwayCore
import Testing

@Suite struct SlackAdapterTests {
    let ch = channel("slack", secrets: ["signingSecret": "gangway-slack-signing-secret"])
    let now = Date(timeIntervalSince1970: 1_764_064_800)

    func request(
        _ body: [UInt8], contentType: String = "application/json", timestamp: String = "1764064800", signature: String? = nil
    )
        -> InboundRequest
    {
        let sig =
            signature ?? "v0=" + Signatures.hex(Signatures.hmac(.sha256, key: "gangway-slack-signing-secret", message: Array("v0:\(timestamp):".utf8) + body))
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_slack",
            headers: ["content-type": contentType, "x-slack-request-timestamp": timestamp, "x-slack-signature": sig], body: body,
            receivedAt: now)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let body = try sample("slack", name)
        let req = try signed(ch, body: body, contentType: name.hasSuffix(".form") ? "application/x-www-form-urlencoded" : "application/json")
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    /// Slack's documented example (api.slack.com "Verifying requests from Slack"), checked by
    /// slack_sdk too: an independent vector for the HMAC and the signed string.
    @Test func slacksPublishedVectorVerifies() throws {
        let docs = channel("slack", secrets: ["signingSecret": "8f742231b10e8888abcd99yyyzzz85a5"])
        let body = try sample("slack", "slash-command.form")
        let req = InboundRequest(
            method: "POST", url: "https://h/webhooks/x",
            headers: [
                "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": "1531420618",
                "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            ], body: body, receivedAt: Date(timeIntervalSince1970: 1_531_420_618 + 120))
        try adapter(for: docs).verify(req)
    }

    /// Signatures computed by slack_sdk's SignatureVerifier (Tests/e2e/sdk_vectors_slack.py).
    @Test(arguments: SlackSDKVectors.all)
    func slackSDKSignaturesVerify(_ v: SlackSDKVectors.Vector) throws {
        let body = try sample("slack", v.sample)
        let req = request(body, timestamp: v.timestamp, signature: v.signature)
        try adapter(for: ch).verify(req)
    }

    @Test func wrongMissingStaleAndTamperedSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let body = try sample("slack", "text.json")
        let good = request(body)
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Slack-Signature", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Slack-Request-Timestamp", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Slack-Signature", with: "v0=" + String(repeating: "0", count: 64))) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Slack-Signature", with: "v1=abcd")) }
        // Another timestamp header with the old signature: the time is part of the signed string.
        expectUnauthorized { try a.verify(good.replacingHeader("X-Slack-Request-Timestamp", with: "1764064801")) }
        var tampered = good
        tampered.body[20] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        // Stale: correctly signed, 301 s before now (and in the future).
        expectUnauthorized { try a.verify(request(body, timestamp: "1764064499")) }
        expectUnauthorized { try a.verify(request(body, timestamp: "1764065101")) }
        try a.verify(request(body, timestamp: "1764064501"))
    }

    @Test func toleranceIsASetting() throws {
        let wide = channel("slack", secrets: ["signingSecret": "gangway-slack-signing-secret"], settings: ["toleranceSeconds": "3600"])
        try adapter(for: wide).verify(request(try sample("slack", "text.json"), timestamp: "1764062000"))
    }

    @Test func urlVerificationEchoesTheChallengeOnlyWhenSigned() throws {
        let a = try adapter(for: ch)
        let body = try sample("slack", "url-verification.json")
        #expect(try a.handshake(request(body)) == .ok("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"))
        expectUnauthorized { _ = try a.handshake(request(body, signature: "v0=00")) }
        #expect(try a.handshake(request(try sample("slack", "text.json"))) == nil)
        #expect(try a.handshake(request(try sample("slack", "slash-command.form"), contentType: "application/x-www-form-urlencoded")) == nil)
    }

    @Test func directMessageMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "Ev08MFMKH6")
        #expect(c.providerId == "U2147483697")
        #expect(
            c.message == InboundMessage(id: "1764064800.000200", type: .text, text: "Hallo, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00Z"))
        #expect(c.provider == ProviderInfo(name: "slack", recipientId: "D0789IJKL", event: "message"))
    }

    @Test func mentionInAThreadRepliesToTheThread() throws {
        let c = try #require(try calls("app-mention.json").first)
        #expect(c.key == "Ev0APPMENT1")
        #expect(c.message?.text == "<@U0BOT00001> wann habt ihr offen?")
        #expect(c.message?.replyTo == "1764064850.000100")
        #expect(c.provider.recipientId == "C0LAN2Q65")
        #expect(c.provider.event == "app_mention")
    }

    @Test func fileShareCarriesTheFile() throws {
        let c = try #require(try calls("file-share.json").first)
        #expect(c.message?.type == .document)
        #expect(c.message?.text == nil)
        #expect(
            c.message?.media == [
                .init(
                    id: "F0FILE0001", url: "https://files.slack.com/files-pri/T0123ABCD-F0FILE0001/rechnung.pdf", mimeType: "application/pdf",
                    filename: "rechnung.pdf")
            ])
    }

    @Test func reactionIsAnEvent() throws {
        let c = try #require(try calls("reaction.json").first)
        #expect(c.event == "message_reaction")
        #expect(c.key == "Ev0REACT001")
        #expect(c.message?.text == "thumbsup")
        #expect(c.message?.replyTo == "1764064810.000500")
        #expect(c.provider.event == "reaction_added")
    }

    @Test(arguments: ["bot-message.json", "message-changed.json"])
    func botPostsAndEditsAreIgnored(_ name: String) throws {
        #expect(try calls(name).isEmpty)
    }

    @Test func slashCommandIsAPostback() throws {
        let c = try #require(try calls("slash-command.form").first)
        #expect(c.key == "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
        #expect(c.providerId == "U2CERLKJA")
        #expect(c.message?.type == .postback)
        #expect(c.message?.payload == "/webhook-collect")
        #expect(c.message?.text == nil)
        #expect(c.contact?.username == "roadrunner")
        #expect(c.provider == ProviderInfo(name: "slack", recipientId: "G8PSS9T3V", event: "slash_command"))
    }

    @Test func buttonClickIsAPostback() throws {
        let c = try #require(try calls("block-actions.form").first)
        #expect(c.key == "1764065300.123456789.abcdef0123456789")
        #expect(c.providerId == "U2147483697")
        #expect(c.message?.payload == "BOOK_YES")
        #expect(c.message?.text == "Ja, buchen")
        #expect(c.message?.replyTo == "1764064810.000500")
        #expect(c.provider.event == "block_actions")
    }

    @Test func garbageIsABadRequestAndAckIsEmpty200() throws {
        let a = try adapter(for: ch)
        for text in ["{", "%%%", "[1]"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8))) }
        }
        #expect(a.acknowledgement(for: request([])) == AdapterResponse(status: 200))
    }
}
