import Foundation
import GangwayCore
import Testing

@Suite struct WebhookAdapterTests {
    let ch = channel("webhook", secrets: ["secret": WebhookSDKVectors.secret])
    let now = Date(timeIntervalSince1970: 1_764_064_800)

    func request(
        _ body: [UInt8], id: String = "msg_test", timestamp: String = "1764064800", signature: String? = nil, prefix: String = "webhook-"
    )
        -> InboundRequest
    {
        let key = Array("test-secret-key-32-bytes-long!!!".utf8)
        let sig = signature ?? "v1," + Signatures.base64(Signatures.hmac(.sha256, key: key, message: Array("\(id).\(timestamp).".utf8) + body))
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_webhook",
            headers: ["content-type": "application/json", prefix + "id": id, prefix + "timestamp": timestamp, prefix + "signature": sig],
            body: body, receivedAt: now)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = request(try sample("webhook", name), id: "msg_\(name)")
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    /// providers.md's vector (standardwebhooks and svix SDKs agree).
    @Test func publishedVectorVerifies() throws {
        let req = InboundRequest(
            method: "POST", url: "https://h/webhooks/x",
            headers: [
                "webhook-id": "msg_2Lh9KRb0pzN4LePd3XiA4xRt0Mx", "webhook-timestamp": "1700000000",
                "webhook-signature": "v1,5uxAilp5G6EBGf09KoIFRMAzhovnuthVIyCU+bSojWE=",
            ], body: Array(#"{"type":"message.received","data":{"id":"m1"}}"#.utf8), receivedAt: Date(timeIntervalSince1970: 1_700_000_100))
        try adapter(for: ch).verify(req)
    }

    /// Signatures made by the standardwebhooks SDK (Tests/e2e/sdk_vectors_webhook.py).
    @Test(arguments: WebhookSDKVectors.all)
    func sdkSignaturesVerify(_ v: WebhookSDKVectors.Vector) throws {
        let req = request(try sample("webhook", v.sample), id: v.id, timestamp: v.timestamp, signature: v.signature)
        let a = try adapter(for: ch)
        try a.verify(req)
        #expect(try a.normalize(req).first?.key == v.id)
    }

    @Test func wrongMissingStaleAndTamperedSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let body = try sample("webhook", "text.json")
        let good = request(body)
        try a.verify(good)
        for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            expectUnauthorized { try a.verify(good.replacingHeader(header, with: nil)) }
        }
        expectUnauthorized { try a.verify(good.replacingHeader("webhook-signature", with: "v1,AAAA")) }
        expectUnauthorized { try a.verify(good.replacingHeader("webhook-id", with: "msg_other")) }
        // Only v1 counts: the right bytes under another version are refused.
        let v1 = try #require(good.headers["webhook-signature"])
        expectUnauthorized { try a.verify(good.replacingHeader("webhook-signature", with: v1.replacingOccurrences(of: "v1,", with: "v2,"))) }
        var tampered = good
        tampered.body[15] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        expectUnauthorized { try a.verify(request(body, timestamp: "1764064499")) }
        expectUnauthorized { try a.verify(request(body, timestamp: "1764065101")) }
        let other = channel("webhook", secrets: ["secret": "whsec_b3RoZXItc2VjcmV0LWtleS0zMi1ieXRlcy1sb25nISE="])
        expectUnauthorized { try adapter(for: other).verify(good) }
    }

    @Test func anyMatchingEntryOfARotationListIsAccepted() throws {
        let good = request(try sample("webhook", "text.json"))
        let v1 = try #require(good.headers["webhook-signature"])
        try adapter(for: ch).verify(good.replacingHeader("webhook-signature", with: "v1a,abc v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \(v1)"))
    }

    @Test func svixHeadersAreAccepted() throws {
        let req = request(try sample("webhook", "text.json"), prefix: "svix-")
        let a = try adapter(for: ch)
        try a.verify(req)
        #expect(try a.normalize(req).first?.key == "msg_test")
    }

    @Test func withoutWebhookIDTheKeyIsAHashOfTheBytes() throws {
        let req = request(try sample("webhook", "text.json")).replacingHeader("webhook-id", with: nil)
        let key = try #require(try adapter(for: ch).normalize(req).first?.key)
        #expect(key == "sha256:" + Signatures.hex(Signatures.sha256(req.body)))
    }

    @Test func signSampleProducesWhatVerifyAccepts() throws {
        let req = try signed(ch, body: try sample("webhook", "text.json"), contentType: "application/json")
        try adapter(for: ch).verify(req)
    }

    @Test func textMapsToHandleWithCalleeAndContact() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        #expect(c.key == "msg_text.json")
        #expect(c.providerId == "+4915112345678")
        #expect(c.callee == "+4930123456")
        #expect(c.message == InboundMessage(id: "crm-msg-0001", type: .text, text: "Hallo, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00Z"))
        #expect(c.contact == InboundContact(name: "Max Example", locale: "de"))
        #expect(c.provider == ProviderInfo(name: "webhook"))
    }

    @Test func mediaLocationAndPostbackKeepTheirFields() throws {
        let media = try #require(try calls("media.json").first?.message)
        #expect(media.media == [.init(url: "https://files.example.com/ausweis.jpg", mimeType: "image/jpeg", caption: "Mein Ausweis")])
        #expect(media.replyTo == "crm-msg-0001")
        let loc = try #require(try calls("location.json").first?.message)
        #expect(loc.location == .init(latitude: 52.52, longitude: 13.405, name: "Brandenburger Tor", address: "Pariser Platz, Berlin"))
        let postback = try #require(try calls("postback.json").first?.message)
        #expect(postback.type == .postback)
        #expect(postback.payload == "BOOK_YES")
    }

    @Test func eventsAreEventsAndUnknownNamesAreIgnored() throws {
        let c = try #require(try calls("event-read.json").first)
        #expect(c.kind == .event)
        #expect(c.event == "user_seen_message")
        #expect(c.provider.event == "user_seen_message")
        #expect(c.message?.id == "bot-answer-7")
        #expect(try calls("unknown-event.json").isEmpty)
    }

    @Test(arguments: ["", "[]", "{}", #"{"providerId":"u"}"#, #"{"providerId":"u","message":{"text":"no type"}}"#, #"{"providerId":"u","event":7}"#])
    func malformedBodiesAreBadRequests(_ text: String) throws {
        let a = try adapter(for: ch)
        #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8))) }
    }
}
