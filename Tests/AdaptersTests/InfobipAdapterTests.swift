import Foundation
import GangwayCore
import Testing

@Suite struct InfobipAdapterTests {
    let ch = channel("infobip", secrets: ["username": "infobip-hook", "password": "s3cret:with:colons"])

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("infobip", name), contentType: "application/json")
    }

    func calls(_ name: String) throws -> [InboundCall] {
        try adapter(for: ch).normalize(try request(name))
    }

    @Test func rfc7617ExampleCredentialsVerify() throws {
        // RFC 7617, section 2: user "Aladdin", password "open sesame".
        let a = try adapter(for: channel("infobip", secrets: ["username": "Aladdin", "password": "open sesame"]))
        var headers = HeaderFields()
        headers.add("Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        try a.verify(InboundRequest(method: "POST", url: "https://hooks.example.com/webhooks/ch_infobip", headers: headers, body: Array("{}".utf8)))
        var lower = HeaderFields()
        lower.add("authorization", "basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        try a.verify(InboundRequest(method: "POST", url: "https://hooks.example.com/webhooks/ch_infobip", headers: lower, body: []))
    }

    @Test func basicCredentialsAreRequiredAndChecked() throws {
        let a = try adapter(for: ch)
        let good = try request("text.json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Bearer abc")) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Basic !!!")) }
        let wrongPassword = Signatures.base64(Array("infobip-hook:s3cret".utf8))
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Basic " + wrongPassword)) }
        let wrongUser = Signatures.base64(Array("other:s3cret:with:colons".utf8))
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Basic " + wrongUser)) }
        do {
            try a.verify(good.replacingHeader("Authorization", with: "Basic " + wrongPassword))
            Issue.record("expected unauthorized")
        } catch {
            #expect(error.diagnosis == ["header": "authorization", "bodyBytes": String(good.body.count)])
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test func whatsappTextMapsToHandle() throws {
        let calls = try calls("text.json")
        #expect(calls.count == 1)
        let c = try #require(calls.first)
        #expect(c.kind == .handle)
        #expect(c.key == "ABEGSRUjRWeJAhCa8g1tT6v3Kk5E")
        #expect(c.providerId == "4915123456789")
        #expect(
            c.message
                == InboundMessage(
                    id: "ABEGSRUjRWeJAhCa8g1tT6v3Kk5E", type: .text, text: "Guten Tag, ist mein Paket unterwegs?",
                    timestamp: "2026-11-24T10:00:00.000+0000"))
        #expect(c.contact == InboundContact(name: "Max Mustermann"))
        #expect(c.provider == ProviderInfo(name: "infobip", recipientId: "4930123456"))
    }

    @Test func batchKeepsInfobipsOrderAndMapsEachKind() throws {
        let calls = try calls("whatsapp-batch.json")
        #expect(calls.map(\.key) == (1...5).map { "ABEGSRUjRWeJAhBATCH000000000\($0)" })
        #expect(calls[0].message?.type == .image)
        #expect(calls[0].message?.media == [.init(url: "https://api.infobip.com/whatsapp/1/senders/4930123456/media/7f2a3b4c", caption: "Das Etikett")])
        #expect(calls[0].message?.text == "Das Etikett")
        #expect(calls[1].providerId == "4917098765432")
        #expect(calls[1].contact?.name == "Erika Muster")
        #expect(calls[1].message?.location == .init(latitude: 48.1374, longitude: 11.5755, name: "Marienplatz", address: "Marienplatz 1, 80331 München"))
        #expect(calls[2].message?.type == .postback)
        #expect(calls[2].message?.payload == "TRACK_PARCEL")
        #expect(calls[2].message?.text == "Sendung verfolgen")
        #expect(calls[2].message?.replyTo == "2f7b9c1e-bot-question")
        #expect(calls[3].message?.type == .contact)
        #expect(calls[3].message?.contacts == [.init(name: "Anna Beispiel", phones: ["+49 151 11111111"])])
        #expect(calls[4].message?.type == .postback)
        #expect(calls[4].message?.payload == "CONFIRM_DELIVERY_SLOT")
        #expect(calls[4].message?.text == "Ja, bitte")
    }

    @Test func smsKeepsTheFullTextAndNumericIds() throws {
        let c = try #require(try calls("sms.json").first)
        #expect(c.key == "817790313235066447")
        #expect(c.providerId == "385916242493")
        #expect(c.message?.text == "QUIZ Correct answer is Paris")
        #expect(c.provider.recipientId == "385921004026")
    }

    @Test func deliveryReportsBecomeEventsAndPendingIsIgnored() throws {
        let calls = try calls("delivery-reports.json")
        #expect(calls.count == 2)
        #expect(calls[0].kind == .event)
        #expect(calls[0].event == "message_delivered")
        #expect(calls[0].key == "MESSAGE-ID-123-xyz:delivered")
        #expect(calls[0].providerId == "4915123456789")
        #expect(calls[0].provider == ProviderInfo(name: "infobip", recipientId: "4930123456", event: "DELIVERED_TO_HANDSET"))
        #expect(calls[1].event == "message_failed")
        #expect(calls[1].key == "MESSAGE-ID-124-xyz:undeliverable")
        #expect(calls[1].message?.text == "Absent Subscriber")
    }

    @Test func seenReportIsUserSeenMessage() throws {
        let c = try #require(try calls("seen-report.json").first)
        #expect(c.event == "user_seen_message")
        #expect(c.key == "a28dd97c-1ffb-4fcf-99f1-0b557ed381da:seen")
        #expect(c.providerId == "4915123456789")
        #expect(c.message?.timestamp == "2026-11-24T10:03:00.000+0000")
    }

    @Test func unknownResultsAreIgnoredAndGarbageIsRejected() throws {
        let a = try adapter(for: ch)
        let unknown = #"{"results":[{"something":"new"}]}"#
        #expect(try a.normalize(try signed(ch, body: Array(unknown.utf8), contentType: "application/json")).isEmpty)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array(#"{"foo":1}"#.utf8), contentType: "application/json")) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("<xml/>".utf8), contentType: "application/json")) }
        #expect(a.acknowledgement(for: try request("text.json")).status == 200)
    }
}
