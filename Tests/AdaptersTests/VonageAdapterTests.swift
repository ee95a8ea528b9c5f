import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct VonageAdapterTests {
    let ch = channel("vonage", secrets: ["signatureSecret": "vonage-signature-secret-for-tests-01"])

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("vonage", name), contentType: "application/json")
    }

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try request(name))
    }

    func bearer(_ token: String, body: [UInt8], at seconds: Double) -> InboundRequest {
        var headers = HeaderFields()
        headers.add("Authorization", "Bearer " + token)
        headers.add("Content-Type", "application/json")
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_vonage", headers: headers, body: body,
            receivedAt: Date(timeIntervalSince1970: seconds))
    }

    @Test func sdkAcceptedTokensVerifyAndSignSampleMakesTheSameToken() throws {
        // Tests/e2e/sdk_vectors_vonage.py: PyJWT-signed, accepted by vonage_jwt.verify_signature.
        let vectorChannel = channel("vonage", secrets: ["signatureSecret": VonageSDKVectors.secret])
        let a = try adapter(for: vectorChannel)
        #expect(VonageSDKVectors.all.count == 10)
        for v in VonageSDKVectors.all {
            let body = try sample("vonage", v.sample)
            try a.verify(bearer(v.token, body: body, at: VonageSDKVectors.iat + 10))
            var request = SampleRequest(
                url: "https://hooks.example.com/webhooks/ch_vonage", contentType: "application/json", body: body,
                now: Date(timeIntervalSince1970: VonageSDKVectors.iat))
            try #require(AdapterRegistry.standard["vonage"]).signSample(&request, vectorChannel)
            #expect(request.inbound.headers["authorization"] == "Bearer " + v.token)
        }
    }

    @Test func tokenMustBeSignedFreshAndCoverTheBody() throws {
        let a = try adapter(for: ch)
        let good = try request("text.json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Basic abc")) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Bearer not.a.jwt")) }
        // Wrong secret.
        expectUnauthorized { try adapter(for: channel("vonage", secrets: ["signatureSecret": "other"])).verify(good) }
        // Altered body: payload_hash no longer matches.
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "booking", with: "payment").utf8)
        expectUnauthorized { try a.verify(tampered) }
        // Stale: iat older than 300 s (+60 s leeway); and issued in the future.
        var stale = good
        stale.receivedAt = good.receivedAt.addingTimeInterval(361)
        expectUnauthorized { try a.verify(stale) }
        var early = good
        early.receivedAt = good.receivedAt.addingTimeInterval(-61)
        expectUnauthorized { try a.verify(early) }
    }

    @Test func tokensWithoutPayloadHashOrWithAnotherAlgorithmAreRefused() throws {
        let a = try adapter(for: ch)
        let body = try sample("vonage", "text.json")
        let secret = Array("vonage-signature-secret-for-tests-01".utf8)
        let noHash = JWT.signHS256(claims: .object([("iat", .number("1795000000")), ("iss", .string("Vonage"))]), secret: secret)
        expectUnauthorized { try a.verify(bearer(noHash, body: body, at: 1_795_000_000)) }
        // alg "none" with an empty signature.
        let header = JWT.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let claims = JWT.base64URL(Array(#"{"iat":1795000000,"payload_hash":"x"}"#.utf8))
        expectUnauthorized { try a.verify(bearer("\(header).\(claims).", body: body, at: 1_795_000_000)) }
        do {
            try a.verify(bearer(noHash, body: body, at: 1_795_000_000))
            Issue.record("expected unauthorized")
        } catch {
            #expect(error.diagnosis == ["header": "authorization", "bodyBytes": String(body.count)])
            #expect(!error.description.contains(noHash))
        }
    }

    @Test func whatsappTextMapsToHandle() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab")
        #expect(c.providerId == "447700900001")
        #expect(
            c.message
                == InboundMessage(
                    id: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", type: .text, text: "Hello, can I change my booking?", timestamp: "2026-11-24T10:00:00Z"))
        #expect(c.contact == InboundContact(name: "Jane Smith"))
        #expect(c.provider == ProviderInfo(name: "vonage", recipientId: "447700900000"))
    }

    @Test func smsImageLocationAndReply() throws {
        let sms = try #require(try calls("sms.json").first)
        #expect(sms.providerId == "447700900002")
        #expect(sms.message?.text == "STATUS 1234")
        #expect(sms.contact == nil)

        let image = try #require(try calls("image.json").first)
        #expect(image.message?.type == .image)
        #expect(image.message?.media == [.init(url: "https://api-eu.nexmo.com/v3/media/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", caption: "The broken part")])
        #expect(image.message?.text == "The broken part")

        let location = try #require(try calls("location.json").first)
        #expect(location.message?.location == .init(latitude: 51.5072, longitude: -0.1276, name: "Trafalgar Square", address: "London WC2N 5DN"))

        let reply = try #require(try calls("reply.json").first)
        #expect(reply.message?.type == .postback)
        #expect(reply.message?.payload == "slot-2")
        #expect(reply.message?.text == "Tuesday 10:00")
        #expect(reply.message?.replyTo == "e4f5a6b7-c8d9-4e0f-9a1b-3c4d5e6f7a81")
    }

    @Test func reactionIsAnEvent() throws {
        let c = try #require(try calls("reaction.json").first)
        #expect(c.kind == .event)
        #expect(c.event == "message_reaction")
        #expect(c.key == "f5a6b7c8-d9e0-4f1a-8b2c-4d5e6f7a8b92")
        #expect(c.message?.text == "👍")
        #expect(c.message?.replyTo == "e4f5a6b7-c8d9-4e0f-9a1b-3c4d5e6f7a81")
        #expect(c.provider.event == "reaction")
    }

    @Test func statusesBecomeEventsWithTheStatusWord() throws {
        let delivered = try #require(try calls("status-delivered.json").first)
        #expect(delivered.event == "message_delivered")
        #expect(delivered.key == "e4f5a6b7-c8d9-4e0f-9a1b-3c4d5e6f7a81:delivered")
        #expect(delivered.providerId == "447700900001")
        #expect(delivered.provider == ProviderInfo(name: "vonage", recipientId: "447700900000", event: "delivered"))

        let read = try #require(try calls("status-read.json").first)
        #expect(read.event == "user_seen_message")
        #expect(read.key == "e4f5a6b7-c8d9-4e0f-9a1b-3c4d5e6f7a81:read")

        let rejected = try #require(try calls("status-rejected.json").first)
        #expect(rejected.event == "message_failed")
        #expect(rejected.providerId == "447700900003")
        #expect(rejected.message?.text == "Message failed because the number is invalid")

        #expect(try calls("status-submitted.json").isEmpty)
    }

    @Test func olderAddressObjectsAndGarbage() throws {
        let a = try adapter(for: ch)
        let v01 =
            #"{"message_uuid":"u1","from":{"type":"sms","number":"447700900009"},"to":{"type":"sms","number":"447700900000"},"message":{"content":{"type":"text","text":"hi"}},"message_type":"text","text":"hi"}"#
        let c = try #require(try a.normalize(try signed(ch, body: Array(v01.utf8), contentType: "application/json")).first)
        #expect(c.providerId == "447700900009")
        #expect(c.provider.recipientId == "447700900000")
        #expect(try a.normalize(try signed(ch, body: Array(#"{"hello":"world"}"#.utf8), contentType: "application/json")).isEmpty)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("nope".utf8), contentType: "application/json")) }
    }
}
