import Foundation
import GangwayCore
import Testing

@Suite struct SinchAdapterTests {
    let ch = channel("sinch", secrets: ["webhookSecret": "sinch-webhook-secret"])

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("sinch", name), contentType: "application/json")
    }

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try request(name))
    }

    func vectorRequest(body: [UInt8], signature: String, nonce: String, timestamp: String, at seconds: Double) -> InboundRequest {
        var headers = HeaderFields()
        headers.add("X-Sinch-Webhook-Signature", signature)
        headers.add("X-Sinch-Webhook-Signature-Nonce", nonce)
        headers.add("X-Sinch-Webhook-Signature-Timestamp", timestamp)
        headers.add("X-Sinch-Webhook-Signature-Algorithm", "HmacSHA256")
        headers.add("Content-Type", "application/json")
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_sinch", headers: headers, body: body,
            receivedAt: Date(timeIntervalSince1970: seconds))
    }

    @Test func publishedSDKVectorVerifies() throws {
        // reference/providers.md, computed with Sinch's SDK: secret sekret, nonce nonce123, ts 1700000000.
        let a = try adapter(for: channel("sinch", secrets: ["webhookSecret": "sekret"]))
        let body = Array(#"{"app_id":"APP","message":{"id":"M1","direction":"TO_APP","contact_message":{"text_message":{"text":"hi"}}}}"#.utf8)
        let good = vectorRequest(
            body: body, signature: "fv4LT2MdKGqiFFQpcesbfVJNBRMA2B72wEbRgmYwPh4=", nonce: "nonce123", timestamp: "1700000000", at: 1_700_000_100)
        try a.verify(good)
        // The vector's body has no channel_identity: authentic, but nobody to answer.
        #expect(try a.normalize(good).isEmpty)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Sinch-Webhook-Signature-Nonce", with: "nonce124")) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Sinch-Webhook-Signature-Timestamp", with: "1700000001")) }
        var stale = good
        stale.receivedAt = Date(timeIntervalSince1970: 1_700_000_301)
        expectUnauthorized { try a.verify(stale) }
    }

    @Test func sdkSignedSamplesVerify() throws {
        // Tests/e2e/sdk_vectors_sinch.py: signed and accepted by Sinch's SDK.
        let a = try adapter(for: channel("sinch", secrets: ["webhookSecret": SinchSDKVectors.secret]))
        #expect(SinchSDKVectors.all.count == 11)
        for v in SinchSDKVectors.all {
            let request = vectorRequest(
                body: try sample("sinch", v.sample), signature: v.signature, nonce: SinchSDKVectors.nonce, timestamp: SinchSDKVectors.timestamp,
                at: Double(SinchSDKVectors.timestamp)! - 30)
            try a.verify(request)
        }
    }

    @Test func signatureCoversBodyNonceAndTimestamp() throws {
        let a = try adapter(for: ch)
        let good = try request("text.json")
        try a.verify(good)
        for header in ["X-Sinch-Webhook-Signature", "X-Sinch-Webhook-Signature-Nonce", "X-Sinch-Webhook-Signature-Timestamp"] {
            expectUnauthorized { try a.verify(good.replacingHeader(header, with: nil)) }
        }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Sinch-Webhook-Signature", with: "%%%")) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Sinch-Webhook-Signature-Algorithm", with: "HmacSHA1")) }
        // The algorithm header is optional.
        try a.verify(good.replacingHeader("X-Sinch-Webhook-Signature-Algorithm", with: nil))
        var tampered = good
        tampered.body[tampered.body.count / 2] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        var stale = good
        stale.receivedAt = good.receivedAt.addingTimeInterval(-301)
        expectUnauthorized { try a.verify(stale) }
        expectUnauthorized { try adapter(for: channel("sinch", secrets: ["webhookSecret": "other"])).verify(good) }
        let lenient = try adapter(for: channel("sinch", secrets: ["webhookSecret": "sinch-webhook-secret"], settings: ["toleranceSeconds": "600"]))
        try lenient.verify(stale)
    }

    @Test func diagnosisNeverCarriesTheSignature() throws {
        let good = try request("text.json")
        let forged = good.replacingHeader("X-Sinch-Webhook-Signature", with: Signatures.base64([UInt8](repeating: 2, count: 32)))
        do {
            try adapter(for: ch).verify(forged)
            Issue.record("expected unauthorized")
        } catch let error as AdapterError {
            #expect(error.diagnosis == ["header": "x-sinch-webhook-signature", "bodyBytes": String(good.body.count)])
            #expect(!error.description.contains(forged.headers["x-sinch-webhook-signature"]!))
        }
    }

    @Test func textMessageMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "01HZX4A1B2C3D4E5F6G7H8J9K0")
        #expect(c.providerId == "4915123456789")
        #expect(
            c.message
                == InboundMessage(
                    id: "01HZX4A1B2C3D4E5F6G7H8J9K0", type: .text, text: "Hallo, wann habt ihr geöffnet?", timestamp: "2026-11-24T10:00:00.498Z"))
        #expect(c.provider == ProviderInfo(name: "sinch", recipientId: "01HZX3T5Q8K2M4N6P8R0S2T4V6"))
    }

    @Test func mediaLocationChoiceAndContactCards() throws {
        let media = try #require(try calls("media.json").first)
        #expect(media.message?.type == .image)
        #expect(media.message?.media == [.init(url: "https://media.conversation.sinch.com/01HZX4B1MEDIA00000000000001/receipt.jpg")])

        let location = try #require(try calls("location.json").first)
        #expect(location.providerId == "6543210987654321")
        #expect(
            location.message?.location == .init(latitude: 52.5200066, longitude: 13.404954, name: "Alexanderplatz", address: "Alexanderplatz 1, 10178 Berlin"))

        let choice = try #require(try calls("choice.json").first)
        #expect(choice.message?.type == .postback)
        #expect(choice.message?.payload == "BOOK_TUESDAY")
        #expect(choice.message?.replyTo == "01HZX4D0APPMSG000000000001")

        let card = try #require(try calls("contact-info.json").first)
        #expect(card.message?.type == .contact)
        #expect(card.message?.contacts == [.init(name: "Erika Mustermann", phones: ["+4930901820", "+4915199999999"])])
    }

    @Test func deliveryReportsCarryTheStatusWord() throws {
        let delivered = try #require(try calls("delivery-delivered.json").first)
        #expect(delivered.kind == .event)
        #expect(delivered.event == "message_delivered")
        #expect(delivered.key == "01HZX4F1APPMSG000000000001:delivered")
        #expect(delivered.providerId == "4915123456789")
        #expect(delivered.provider.event == "DELIVERED")

        let read = try #require(try calls("delivery-read.json").first)
        #expect(read.event == "user_seen_message")
        #expect(read.key == "01HZX4F1APPMSG000000000001:read")

        let failed = try #require(try calls("delivery-failed.json").first)
        #expect(failed.event == "message_failed")
        #expect(failed.message?.text == "The recipient could not be reached on the channel.")
        #expect(try calls("delivery-queued.json").isEmpty)
    }

    @Test func composingIsTypingAndOtherTriggersAreIgnored() throws {
        let typing = try #require(try calls("composing.json").first)
        #expect(typing.event == "user_typing")
        #expect(typing.key == "01HZX4H1EVENT0000000000001")
        #expect(typing.providerId == "4915123456789")
        #expect(try calls("conversation-start.json").isEmpty)
        let a = try adapter(for: ch)
        let echo =
            #"{"app_id":"A","message":{"id":"X","direction":"TO_CONTACT","channel_identity":{"identity":"1"},"contact_message":{"text_message":{"text":"x"}}}}"#
        #expect(try a.normalize(try signed(ch, body: Array(echo.utf8), contentType: "application/json")).isEmpty)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("not json".utf8), contentType: "application/json")) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("[]".utf8), contentType: "application/json")) }
    }
}
