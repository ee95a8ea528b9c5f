import Foundation
import GangwayCore
import Testing

@Suite struct BirdAdapterTests {
    let ch = channel("bird", secrets: ["signingKey": BirdSDKVectors.signingKey])
    let now = Date(timeIntervalSince1970: 1_764_064_800)

    func request(_ body: [UInt8], headers: [(String, String)], url: String = BirdSDKVectors.url, at: Date? = nil) -> InboundRequest {
        InboundRequest(method: "POST", url: url, headers: HeaderFields([("content-type", "application/json")] + headers), body: body, receivedAt: at ?? now)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = try signed(ch, body: try sample("bird", name), contentType: "application/json")
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    // MARK: Signatures, one scheme at a time, with the SDK vectors

    @Test func currentBirdHMACVerifies() throws {
        let a = try adapter(for: ch)
        let body = try sample("bird", "text.json")
        let good = request(
            body, headers: [("messagebird-signature", BirdSDKVectors.hmacSignature), ("messagebird-request-timestamp", BirdSDKVectors.timestamp)])
        try a.verify(good)
        // The URL is signed: another query (or a publicURL that differs) fails.
        expectUnauthorized {
            try a.verify(request(body, headers: good.headers.fields.map { ($0.name, $0.value) }, url: "https://hooks.example.com/webhooks/channel_bird"))
        }
        expectUnauthorized { try a.verify(good.replacingHeader("messagebird-request-timestamp", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("messagebird-request-timestamp", with: "1764064801")) }
        expectUnauthorized { try a.verify(good.replacingHeader("messagebird-signature", with: "AAAA")) }
        var tampered = good
        tampered.body[40] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        // Stale: 10 minutes later the same request is refused.
        expectUnauthorized { try a.verify(request(body, headers: good.headers.fields.map { ($0.name, $0.value) }, at: now.addingTimeInterval(600))) }
    }

    @Test func standardWebhooksVerify() throws {
        let a = try adapter(for: ch)
        let body = try sample("bird", "text.json")
        let good = request(
            body,
            headers: [
                ("webhook-id", BirdSDKVectors.standardWebhooksID), ("webhook-timestamp", BirdSDKVectors.timestamp),
                ("webhook-signature", BirdSDKVectors.standardWebhooksSignature),
            ])
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("webhook-id", with: "msg_other")) }
        expectUnauthorized { try a.verify(request(body, headers: good.headers.fields.map { ($0.name, $0.value) }, at: now.addingTimeInterval(-301))) }
    }

    @Test func legacyJWTVerifies() throws {
        let a = try adapter(for: ch)
        let body = try sample("bird", "text.json")
        let good = request(body, headers: [("MessageBird-Signature-JWT", BirdSDKVectors.jwt)], at: now.addingTimeInterval(1))
        try a.verify(good)
        var tampered = good
        tampered.body[40] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }  // payload_hash
        expectUnauthorized {
            try a.verify(request(body, headers: [("MessageBird-Signature-JWT", BirdSDKVectors.jwt)], url: "https://evil.example.com/x", at: now))
        }  // url_hash
        // exp
        expectUnauthorized { try a.verify(request(body, headers: [("MessageBird-Signature-JWT", BirdSDKVectors.jwt)], at: now.addingTimeInterval(3600))) }
        let parts = BirdSDKVectors.jwt.split(separator: ".")
        expectUnauthorized { try a.verify(request(body, headers: [("MessageBird-Signature-JWT", "\(parts[0]).\(parts[1]).AAAA")])) }
        // alg none is never accepted.
        let none = Signatures.base64(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)).replacingOccurrences(of: "=", with: "")
        expectUnauthorized { try a.verify(request(body, headers: [("MessageBird-Signature-JWT", "\(none).\(parts[1]).")])) }
    }

    @Test func noSignatureAtAllIsRefused() throws {
        expectUnauthorized { try adapter(for: ch).verify(request(try sample("bird", "text.json"), headers: [])) }
    }

    @Test func otherKeyIsRefused() throws {
        let other = channel("bird", secrets: ["signingKey": "another-key"])
        let req = try signed(ch, body: try sample("bird", "text.json"), contentType: "application/json")
        expectUnauthorized { try adapter(for: other).verify(req) }
    }

    // MARK: Payloads

    @Test func inboundTextMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "5f8c3b1e-8d0a-4b8e-9a52-0d1f7c9e2a41")
        #expect(c.providerId == "+4915112345678")
        #expect(
            c.message
                == InboundMessage(
                    id: "5f8c3b1e-8d0a-4b8e-9a52-0d1f7c9e2a41", type: .text, text: "Hallo, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00.858Z"))
        #expect(c.contact?.name == "Max Example")
        #expect(c.provider == ProviderInfo(name: "bird", recipientId: "+4930123456", event: "whatsapp"))
    }

    @Test func imageFileAndLocation() throws {
        let image = try #require(try calls("image.json").first?.message)
        #expect(image.type == .image)
        #expect(image.media == [.init(url: "https://media.api.bird.com/workspaces/ws-1/messages/7a2d9c44/media/ausweis.jpg", caption: "Mein Ausweis")])
        #expect(image.replyTo == "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
        let file = try #require(try calls("file.json").first?.message)
        #expect(file.type == .document)
        #expect(file.media?.first?.filename == "offer.pdf")
        let location = try #require(try calls("location.json").first)
        #expect(location.message?.location == .init(latitude: 52.52, longitude: 13.405, name: "Brandenburger Tor", address: "Pariser Platz, Berlin"))
        #expect(location.provider.recipientId == "11111111-2222-3333-4444-555555555555")
        #expect(location.provider.event == "sms")
    }

    @Test func outboundStatusesAreEventsAndSentIsIgnored() throws {
        let c = try #require(try calls("status-delivered.json").first)
        #expect(c.event == "message_delivered")
        #expect(c.key == "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0:delivered")
        #expect(c.providerId == "+4915112345678")
        #expect(c.provider.event == "delivered")
        #expect(try calls("status-sent.json").isEmpty)
    }

    @Test func legacyConversationsPayloads() throws {
        let text = try #require(try calls("conversations-text.json").first)
        #expect(text.key == "5f3c2a3d3b8c4b0a9f4e8d7c6b5a4f3e")
        #expect(text.providerId == "+4915112345678")
        #expect(text.message?.text == "Hallo aus der alten API")
        #expect(text.contact?.name == "Max Example")
        #expect(text.provider == ProviderInfo(name: "bird", recipientId: "+4930123456", event: "whatsapp"))
        let read = try #require(try calls("conversations-read.json").first)
        #expect(read.event == "user_seen_message")
        #expect(read.key == "6a4d3b2c1e0f4a5b8c7d6e5f4a3b2c1d:read")
        #expect(read.providerId == "+4915112345678")
    }

    @Test func garbageIsABadRequestAndUnknownShapesAreIgnored() throws {
        let a = try adapter(for: ch)
        for text in ["", "{", "[]"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8), headers: [])) }
        }
        #expect(try a.normalize(request(Array(#"{"service":"contacts","event":"contact.created","payload":{"id":"x"}}"#.utf8), headers: [])).isEmpty)
    }
}
