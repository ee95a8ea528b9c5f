import Foundation
import GangwayCore
import Testing

@Suite struct WhatsAppAdapterTests {
    let ch = channel("whatsapp", secrets: ["appSecret": "wa-app-secret", "verifyToken": "wa-verify"])

    @Test func handshakeEchoesTheChallengeForTheRightToken() throws {
        let a = try adapter(for: ch)
        let ok = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wa-verify")
        #expect(try a.handshake(ok) == .ok("1158201444"))
        let wrong = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope")
        #expect(throws: AdapterError.forbidden("hub.verify_token does not match verifyToken")) { try a.handshake(wrong) }
        #expect(try a.handshake(InboundRequest(method: "POST", url: "https://h/webhooks/x")) == nil)
    }

    @Test func signatureIsCheckedOverTheRawBytes() throws {
        let a = try adapter(for: ch)
        let body = try sample("whatsapp", "text.json")
        let good = try signed(ch, body: body, contentType: "application/json")
        try a.verify(good)
        // The signature is over the escaped bytes as sent (\u00e4), not re-serialized JSON.
        #expect(body.count > 0 && String(decoding: body, as: UTF8.self).contains("\\u00e4"))
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: "sha256=00")) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: "md5=abc")) }
        var tampered = good
        tampered.body[tampered.body.count / 2] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        let otherSecret = channel("whatsapp", secrets: ["appSecret": "other", "verifyToken": "v"])
        expectUnauthorized { try a.verify(try signed(otherSecret, body: body, contentType: "application/json")) }
    }

    @Test func textMessageMapsToHandle() throws {
        let calls = try adapter(for: ch).normalize(try signed(ch, body: try sample("whatsapp", "text.json"), contentType: "application/json"))
        #expect(calls.count == 1)
        let c = try #require(calls.first)
        #expect(c.kind == .handle)
        #expect(c.providerId == "49123456789")
        #expect(c.key == "wamid.HBgLNDkxMjM0NTY3ODkVAgASGBQzQTdDRkY1RjRGMjM1RTg2QUJDOQA=")
        #expect(c.message?.type == .text)
        #expect(c.message?.text == "Hallo, ich hätte gern einen Termin")
        #expect(c.message?.timestamp == "2025-11-25T10:00:00Z")
        #expect(c.contact?.name == "Max Example")
        #expect(c.provider == ProviderInfo(name: "whatsapp", recipientId: "106540352242922"))
    }

    @Test func batchKeepsTheProvidersOrderAndMapsEachKind() throws {
        let calls = try adapter(for: ch).normalize(try signed(ch, body: try sample("whatsapp", "batch.json"), contentType: "application/json"))
        #expect(calls.map(\.key) == ["wamid.batch.1", "wamid.batch.2", "wamid.batch.3"])
        #expect(calls[0].message?.type == .image)
        #expect(calls[0].message?.media == [.init(id: "1479537139650973", mimeType: "image/jpeg", caption: "Mein Ausweis")])
        #expect(calls[1].providerId == "49987654321")
        #expect(calls[1].contact?.name == "Erika Muster")
        #expect(calls[1].message?.location == .init(latitude: 52.52, longitude: 13.405, name: "Brandenburger Tor", address: "Pariser Platz, Berlin"))
        #expect(calls[2].message?.type == .postback)
        #expect(calls[2].message?.payload == "BOOK_YES")
        #expect(calls[2].message?.replyTo == "wamid.bot.question")
    }

    @Test func statusesBecomeEventsAndSentIsIgnored() throws {
        let calls = try adapter(for: ch).normalize(try signed(ch, body: try sample("whatsapp", "status-read.json"), contentType: "application/json"))
        #expect(calls.map(\.event) == ["message_delivered", "user_seen_message"])
        #expect(calls.map(\.kind) == [.event, .event])
        #expect(calls[0].key == "wamid.HBgLNDkxMjM0NTY3ODkVAgARGBI4QjYwQjM4RTk1RkE1RDY2NzAA:delivered")
        #expect(calls[1].key == "wamid.HBgLNDkxMjM0NTY3ODkVAgARGBI4QjYwQjM4RTk1RkE1RDY2NzAA:read")
        #expect(calls[1].provider.event == "read")
        #expect(calls.allSatisfy { $0.providerId == "49123456789" })
    }

    @Test func reactionIsAnEvent() throws {
        let calls = try adapter(for: ch).normalize(try signed(ch, body: try sample("whatsapp", "reaction.json"), contentType: "application/json"))
        let c = try #require(calls.first)
        #expect(c.event == "message_reaction")
        #expect(c.message?.text == "👍")
        #expect(c.message?.replyTo == "wamid.bot.answer")
    }

    @Test func otherFieldsAreIgnoredNotRejected() throws {
        let calls = try adapter(for: ch).normalize(
            try signed(ch, body: try sample("whatsapp", "template-status-update.json"), contentType: "application/json"))
        #expect(calls.isEmpty)
    }

    @Test(arguments: ["", "not json", "{\"object\":", "[1,2]"])
    func unparseableBodiesAreBadRequests(_ text: String) throws {
        let a = try adapter(for: ch)
        #expect(throws: AdapterError.self) {
            let calls = try a.normalize(try signed(ch, body: Array(text.utf8), contentType: "application/json"))
            // A JSON array parses, but is not a WhatsApp notification: nothing to forward.
            if text == "[1,2]" && calls.isEmpty { throw AdapterError.badRequest("expected") }
        }
    }

    @Test func acknowledgementIs200() throws {
        #expect(try adapter(for: ch).acknowledgement(for: InboundRequest(method: "POST", url: "x")).status == 200)
    }
}
