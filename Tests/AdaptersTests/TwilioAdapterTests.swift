import Foundation
import GangwayCore
import Testing

@Suite struct TwilioAdapterTests {
    let ch = channel("twilio", secrets: ["authToken": "twilio-auth-token"])
    let url = "https://hooks.example.com/webhooks/ch_twilio"

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("twilio", name), contentType: "application/x-www-form-urlencoded", url: url)
    }

    @Test func publishedSDKVectorVerifies() throws {
        // Computed with Twilio's RequestValidator (reference/providers.md): token 12345.
        let vectorChannel = channel("twilio", secrets: ["authToken": "12345"])
        let form = "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212"
        var headers = HeaderFields()
        headers.add("X-Twilio-Signature", "GvWf1cFY/Q7PnoempGyD5oXAezc=")
        headers.add("Content-Type", "application/x-www-form-urlencoded")
        let request = InboundRequest(method: "POST", url: "https://mycompany.com/myapp.php?foo=1&bar=2", headers: headers, body: Array(form.utf8))
        try adapter(for: vectorChannel).verify(request)
        // The SDK also accepts the URL with the default port.
        var withPort = request
        withPort.url = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
        try adapter(for: vectorChannel).verify(withPort)
        var otherURL = request
        otherURL.url = "http://mycompany.com/myapp.php?foo=1&bar=2"
        expectUnauthorized { try adapter(for: vectorChannel).verify(otherURL) }
    }

    @Test func signatureCoversURLAndEveryParameter() throws {
        let a = try adapter(for: ch)
        let good = try request("sms.form")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Twilio-Signature", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Twilio-Signature", with: "not base64!")) }
        var otherURL = good
        otherURL.url = "https://hooks.example.com/webhooks/ch_twilio/"
        expectUnauthorized { try a.verify(otherURL) }
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "Body=Hallo", with: "Body=Hello").utf8)
        expectUnauthorized { try a.verify(tampered) }
    }

    @Test func smsMapsToHandle() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("sms.form")).first)
        #expect(c.kind == .handle)
        #expect(c.key == "SM1f0e2a3b4c5d6e7f8091a2b3c4d5e6f7")
        #expect(c.providerId == "+49123456789")
        #expect(c.message?.text == "Hallo über SMS!")
        #expect(c.message?.type == .text)
        #expect(c.provider.recipientId == "+4930123456")
    }

    @Test func mmsCarriesEveryMediaItem() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("mms.form")).first)
        #expect(c.message?.type == .image)
        #expect(c.message?.media?.count == 2)
        #expect(c.message?.media?[1].mimeType == "image/png")
        #expect(c.message?.media?[0].url?.hasSuffix("/Media/ME111") == true)
        #expect(c.message?.text == nil)
    }

    @Test func whatsappViaTwilioKeepsTheProfileName() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("whatsapp.form")).first)
        #expect(c.providerId == "whatsapp:+49123456789")
        #expect(c.contact?.name == "Max Example")
    }

    @Test func statusCallbackBecomesAnEvent() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("status-delivered.form")).first)
        #expect(c.kind == .event)
        #expect(c.event == "message_delivered")
        #expect(c.key == "SM5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b:delivered")
        #expect(c.providerId == "+49123456789")
    }

    @Test func sentStatusIsIgnoredAndBadFormsAreRejected() throws {
        let a = try adapter(for: ch)
        let sent = "MessageSid=SM1&MessageStatus=sent&To=%2B1&From=%2B2"
        #expect(try a.normalize(try signed(ch, body: Array(sent.utf8), contentType: "application/x-www-form-urlencoded", url: url)).isEmpty)
        #expect(throws: AdapterError.self) {
            try a.normalize(try signed(ch, body: Array("a=%ZZ".utf8), contentType: "application/x-www-form-urlencoded", url: url))
        }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: [], contentType: "application/x-www-form-urlencoded", url: url)) }
        #expect(throws: AdapterError.self) {
            try a.normalize(try signed(ch, body: Array("Body=hi".utf8), contentType: "application/x-www-form-urlencoded", url: url))
        }
    }

    @Test func answerIsEmptyTwiML() throws {
        let ack = try adapter(for: ch).acknowledgement(for: try request("sms.form"))
        #expect(ack.status == 200)
        #expect(ack.contentType?.hasPrefix("text/xml") == true)
        #expect(ack.bodyText.hasSuffix("<Response/>"))
    }
}

@Suite struct TwilioJSONBodyTests {
    @Test func jsonBodiesAreCoveredByBodySHA256() throws {
        // Twilio's documented JSON example: {"property": "value", "boolean": true} → this bodySHA256.
        let ch = channel("twilio", secrets: ["authToken": "12345"])
        let body = Array(#"{"property": "value", "boolean": true}"#.utf8)
        let hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
        #expect(Signatures.hex(Signatures.sha256(body)) == hash)
        let url = "https://mycompany.com/myapp.php?bodySHA256=\(hash)"
        let sig = Signatures.base64(Signatures.hmac(.sha1, key: "12345", message: Array(url.utf8)))
        let request = InboundRequest(method: "POST", url: url, headers: ["X-Twilio-Signature": sig, "Content-Type": "application/json"], body: body)
        try adapter(for: ch).verify(request)
        var tampered = request
        tampered.body = Array(#"{"property": "other", "boolean": true}"#.utf8)
        expectUnauthorized { try adapter(for: ch).verify(tampered) }
        let bareURL = "https://mycompany.com/myapp.php"
        let bare = InboundRequest(
            method: "POST", url: bareURL,
            headers: [
                "X-Twilio-Signature": Signatures.base64(Signatures.hmac(.sha1, key: "12345", message: Array(bareURL.utf8))), "Content-Type": "application/json",
            ],
            body: body)
        expectUnauthorized { try adapter(for: ch).verify(bare) }
    }
}
