import Foundation
import GangwayCore
import Testing

@Suite struct MessengerAdapterTests {
    let ch = channel("messenger", secrets: ["appSecret": "fb-app-secret", "verifyToken": "fb-verify"])

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try signed(ch, body: try sample("messenger", name), contentType: "application/json"))
    }

    @Test func handshakeEchoesTheChallengeForTheRightToken() throws {
        let a = try adapter(for: ch)
        let ok = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED&hub.verify_token=fb-verify")
        #expect(try a.handshake(ok) == .ok("CHALLENGE_ACCEPTED"))
        let wrong = InboundRequest(method: "GET", url: "https://h/webhooks/x?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope")
        #expect(throws: AdapterError.forbidden("hub.verify_token does not match verifyToken")) { try a.handshake(wrong) }
        #expect(try a.handshake(InboundRequest(method: "POST", url: "https://h/webhooks/x")) == nil)
    }

    @Test func signatureIsCheckedOverTheRawBytes() throws {
        let a = try adapter(for: ch)
        let body = try sample("messenger", "text.json")
        let good = try signed(ch, body: body, contentType: "application/json")
        try a.verify(good)
        // Independent check: the HMAC computed by hand, as Meta documents it.
        let expected = "sha256=" + Signatures.hex(Signatures.hmac(.sha256, key: "fb-app-secret", message: body))
        #expect(good.headers["x-hub-signature-256"] == expected)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Hub-Signature-256", with: "sha256=00")) }
        // The legacy SHA-1 header alone is not accepted.
        expectUnauthorized {
            try a.verify(good.replacingHeader("X-Hub-Signature-256", with: nil).replacingHeader("X-Hub-Signature", with: "sha1=00"))
        }
        var tampered = good
        tampered.body[tampered.body.count / 2] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        let other = channel("messenger", secrets: ["appSecret": "other", "verifyToken": "v"])
        expectUnauthorized { try a.verify(try signed(other, body: body, contentType: "application/json")) }
    }

    @Test func diagnosisNeverCarriesTheSignature() throws {
        let a = try adapter(for: ch)
        let bad = try signed(ch, body: try sample("messenger", "text.json"), contentType: "application/json")
            .replacingHeader("X-Hub-Signature-256", with: "sha256=" + String(repeating: "ab", count: 32))
        do {
            try a.verify(bad)
            Issue.record("expected unauthorized")
        } catch {
            #expect(!error.diagnosis.values.contains { $0.contains("abab") })
            #expect(error.diagnosis["header"] == "x-hub-signature-256")
        }
    }

    @Test func textMessageMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.providerId == "6783456789012345")
        #expect(c.key == "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P")
        #expect(c.message?.type == .text)
        #expect(c.message?.text == "Hallo, ich hätte gern einen Termin")
        #expect(c.message?.timestamp == "2025-11-25T10:00:00Z")
        #expect(c.provider == ProviderInfo(name: "messenger", recipientId: "106540352242922"))
    }

    @Test func batchKeepsTheProvidersOrderAcrossEntries() throws {
        let calls = try calls("batch.json")
        #expect(calls.map(\.key) == ["m_batch_1", "m_batch_2", "m_batch_3", "m_batch_4", "m_batch_5"])
        #expect(calls[0].message?.type == .image)
        #expect(
            calls[0].message?.media?.map(\.url) == [
                "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg", "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo2.jpg",
            ])
        #expect(calls[1].message?.type == .postback)
        #expect(calls[1].message?.payload == "BOOK_YES")
        #expect(calls[1].message?.text == "Ja, bitte")
        #expect(calls[1].message?.replyTo == "m_bot_question")
        #expect(
            calls[2].message == InboundMessage(id: "m_batch_3", type: .postback, text: "Get Started", timestamp: "2025-11-25T10:01:20Z", payload: "GET_STARTED")
        )
        #expect(calls[2].provider.event == "postback")
        #expect(calls[3].providerId == "7123456789012345")
        #expect(calls[3].message?.type == .document)
        #expect(calls[4].message?.type == .sticker)
    }

    @Test func locationAttachmentBecomesALocation() throws {
        let c = try #require(try calls("location.json").first)
        #expect(c.message?.type == .location)
        #expect(c.message?.location == .init(latitude: 52.5163, longitude: 13.3777, name: "Brandenburger Tor"))
    }

    @Test func deliveryAndReadAreEventsKeyedBySenderWatermarkAndStatus() throws {
        let calls = try calls("receipts.json")
        #expect(calls.map(\.event) == ["message_delivered", "user_seen_message"])
        #expect(calls.map(\.key) == ["6783456789012345:1764064990000:delivered", "6783456789012345:1764064995000:read"])
        #expect(calls.map(\.provider.event) == ["delivery", "read"])
        #expect(calls[0].message?.id == "m_bot_answer_1")
        #expect(calls.allSatisfy { $0.providerId == "6783456789012345" && $0.kind == .event })
    }

    @Test func reactionIsAnEvent() throws {
        let c = try #require(try calls("reaction.json").first)
        #expect(c.event == "message_reaction")
        #expect(c.message?.text == "❤️")
        #expect(c.message?.replyTo == "m_bot_answer_1")
        #expect(c.provider.event == "react")
        #expect(c.key == "m_bot_answer_1:react:6783456789012345:1764065100000")
    }

    @Test func echoesAreIgnored() throws {
        #expect(try calls("echo.json").isEmpty)
    }

    @Test func referralStartsAConversationAndOptinIsIgnored() throws {
        let calls = try calls("referral.json")
        #expect(calls.count == 1)
        #expect(calls[0].event == "conversation_started")
        #expect(calls[0].message?.payload == "winter-campaign")
    }

    @Test func otherObjectsAreIgnoredAndGarbageIsABadRequest() throws {
        let a = try adapter(for: ch)
        let ig = try signed(ch, body: try sample("instagram", "text.json"), contentType: "application/json")
        #expect(try a.normalize(ig).isEmpty)
        for text in ["", "not json", "{\"object\":", "[1,2]"] {
            #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array(text.utf8), contentType: "application/json")) }
        }
    }

    @Test func acknowledgementIs200() throws {
        #expect(try adapter(for: ch).acknowledgement(for: InboundRequest(method: "POST", url: "x")).status == 200)
    }
}
