import Foundation
import GangwayCore
import Testing

@Suite struct ViberAdapterTests {
    let ch = channel("viber", secrets: ["authToken": ViberSDKVectors.authToken])

    func request(_ body: [UInt8], signature: String?) -> InboundRequest {
        var headers: HeaderFields = ["content-type": "application/json"]
        if let signature { headers.add("x-viber-content-signature", signature) }
        return InboundRequest(method: "POST", url: "https://hooks.example.com/webhooks/ch_viber", headers: headers, body: body)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = try signed(ch, body: try sample("viber", name), contentType: "application/json")
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    @Test(arguments: ViberSDKVectors.all)
    func sdkSignaturesVerify(_ v: ViberSDKVectors.Vector) throws {
        try adapter(for: ch).verify(request(try sample("viber", v.sample), signature: v.signature))
    }

    @Test func wrongMissingAndTamperedSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let good = try signed(ch, body: try sample("viber", "text.json"), contentType: "application/json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Viber-Content-Signature", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Viber-Content-Signature", with: "xyz")) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Viber-Content-Signature", with: String(repeating: "0", count: 64))) }
        var tampered = good
        tampered.body[25] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
    }

    @Test func webhookCallbackIsAnswered200OnlyWhenSigned() throws {
        let a = try adapter(for: ch)
        let body = try sample("viber", "webhook.json")
        let sig = try #require(ViberSDKVectors.all.first { $0.sample == "webhook.json" }).signature
        #expect(try a.handshake(request(body, signature: sig)) == .ok())
        expectUnauthorized { _ = try a.handshake(request(body, signature: nil)) }
        #expect(try a.handshake(request(try sample("viber", "text.json"), signature: nil)) == nil)
    }

    @Test func textKeepsTheExactMessageToken() throws {
        let c = try #require(try calls("text.json").first)
        #expect(c.kind == .handle)
        // 5741311803571721087 > 2^53: a Double would have made it ...1721088.
        #expect(c.key == "5741311803571721087")
        #expect(c.providerId == "01234567890A=")
        #expect(
            c.message == InboundMessage(id: "5741311803571721087", type: .text, text: "Hallo, ich hätte gern einen Termin", timestamp: "2025-11-25T10:00:00Z"))
        #expect(c.contact == InboundContact(name: "Max Example", locale: "de"))
        #expect(c.provider == ProviderInfo(name: "viber", event: "message"))
    }

    @Test func mediaLocationContactAndButtons() throws {
        let picture = try #require(try calls("picture.json").first?.message)
        #expect(picture.type == .image)
        #expect(
            picture.media == [
                .init(url: "https://dl-media.viber.com/5/media/2/short/any/sig/image/0x0/ausweis.jpg", caption: "Mein Ausweis", filename: "ausweis.jpg")
            ])
        let location = try #require(try calls("location.json").first?.message)
        #expect(location.location == .init(latitude: 52.52, longitude: 13.405, address: "Pariser Platz, Berlin"))
        let contact = try #require(try calls("contact.json").first?.message)
        #expect(contact.type == .contact)
        #expect(contact.contacts == [.init(name: "Erika Muster", phones: ["+4915199999999"])])
        let button = try #require(try calls("button-reply.json").first?.message)
        #expect(button.text == "BOOK_YES")
        #expect(button.payload == "booking-flow-step-2")
    }

    @Test func receiptsCarryTheStatusWordInTheKey() throws {
        let seen = try #require(try calls("receipts-seen.json").first)
        let delivered = try #require(try calls("receipts-delivered.json").first)
        let failed = try #require(try calls("failed.json").first)
        #expect(seen.event == "user_seen_message")
        #expect(seen.key == "5741311803571729999:seen")
        #expect(delivered.event == "message_delivered")
        #expect(delivered.key == "5741311803571729999:delivered")
        #expect(failed.event == "message_failed")
        #expect(failed.message?.text == "failure description")
        #expect([seen, delivered, failed].allSatisfy { $0.providerId == "01234567890A=" })
    }

    @Test func lifecycleEvents() throws {
        let started = try #require(try calls("conversation-started.json").first)
        #expect(started.event == "conversation_started")
        #expect(started.message?.payload == "winter-campaign")
        #expect(started.contact?.name == "Max Example")
        let gone = try #require(try calls("unsubscribed.json").first)
        #expect(gone.event == "user_unsubscribed")
        #expect(gone.key == "5741311803571730001:unsubscribed")
        #expect(try calls("webhook.json").isEmpty)
    }

    @Test func garbageIsABadRequest() throws {
        let a = try adapter(for: ch)
        for text in ["", "{", "[]", "{}"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8), signature: nil)) }
        }
    }
}
