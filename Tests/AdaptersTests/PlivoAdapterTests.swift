import Foundation
import GangwayCore
import Testing

@Suite struct PlivoAdapterTests {
    let ch = channel("plivo", secrets: ["authToken": "plivo-auth-token"])
    let url = "https://hooks.example.com/webhooks/ch_plivo"
    static let form = "application/x-www-form-urlencoded"

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("plivo", name), contentType: Self.form, url: url)
    }

    func vectorRequest(method: String, url: String, body: [UInt8], signature: String, nonce: String) -> InboundRequest {
        var headers = HeaderFields()
        headers.add("X-Plivo-Signature-V3", signature)
        headers.add("X-Plivo-Signature-V3-Nonce", nonce)
        if method == "POST" { headers.add("Content-Type", Self.form) }
        return InboundRequest(method: method, url: url, headers: headers, body: body)
    }

    @Test func publishedSDKVectorVerifies() throws {
        // reference/providers.md, computed with Plivo's SDK: token MY_AUTH_TOKEN, nonce 12345.
        let vectorChannel = channel("plivo", secrets: ["authToken": "MY_AUTH_TOKEN"])
        let body = Array("From=14155550100&To=14155550199&Text=hi&Type=sms&MessageUUID=abc".utf8)
        let request = vectorRequest(
            method: "POST", url: "https://example.com/plivo/sms?x=1", body: body, signature: "4x36vgP2MeYEoL8+NpWW7Hgfn1R8I7G6xCX5hZEKir8=",
            nonce: "12345")
        let a = try adapter(for: vectorChannel)
        try a.verify(request)
        // Several signatures (account and subaccount tokens): one match is enough.
        try a.verify(request.replacingHeader("X-Plivo-Signature-V3", with: "AAAA, 4x36vgP2MeYEoL8+NpWW7Hgfn1R8I7G6xCX5hZEKir8="))
        // The V2 signature of the same request is not a V3 signature.
        expectUnauthorized { try a.verify(request.replacingHeader("X-Plivo-Signature-V3", with: "3XyGr7OhvL6usYYa9FFJYMBSDHWDe4cUz5FZWFPD/0k=")) }
        var noQuery = request
        noQuery.url = "https://example.com/plivo/sms"
        expectUnauthorized { try a.verify(noQuery) }
    }

    @Test(arguments: PlivoSDKVectors.all.indices)
    func sdkSignedSamplesVerify(_ index: Int) throws {
        // Tests/e2e/sdk_vectors_plivo.py: signed by Plivo's SDK for POST (URL with and without query) and GET.
        let v = PlivoSDKVectors.all[index]
        let a = try adapter(for: channel("plivo", secrets: ["authToken": PlivoSDKVectors.authToken]))
        let body = v.method == "POST" ? try sample("plivo", v.sample) : []
        let request = vectorRequest(method: v.method, url: v.url, body: body, signature: v.signature, nonce: PlivoSDKVectors.nonce)
        try a.verify(request)
        expectUnauthorized { try a.verify(request.replacingHeader("X-Plivo-Signature-V3-Nonce", with: "1")) }
        let calls = try a.normalize(request)
        #expect(calls.allSatisfy { $0.provider.name == "plivo" })
        #expect(calls.isEmpty == (v.sample == "status-sent.form"))
    }

    @Test func signatureCoversURLNonceAndEveryParameter() throws {
        let a = try adapter(for: ch)
        let good = try request("text.form")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("X-Plivo-Signature-V3", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Plivo-Signature-V3-Nonce", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("X-Plivo-Signature-V3", with: "not base64!")) }
        var otherURL = good
        otherURL.url = url + "/"
        expectUnauthorized { try a.verify(otherURL) }
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "my+order", with: "my+refund").utf8)
        expectUnauthorized { try a.verify(tampered) }
        expectUnauthorized { try adapter(for: channel("plivo", secrets: ["authToken": "other"])).verify(good) }
        // Plivo sends no timestamp: a replay verifies, and the MessageUUID key makes it a duplicate.
        var later = good
        later.receivedAt = good.receivedAt.addingTimeInterval(86_400)
        try a.verify(later)
    }

    @Test func diagnosisNamesTheURLButNoSignature() throws {
        let good = try request("text.form")
        let forged = good.replacingHeader("X-Plivo-Signature-V3", with: Signatures.base64([UInt8](repeating: 1, count: 32)))
        do {
            try adapter(for: ch).verify(forged)
            Issue.record("expected unauthorized")
        } catch let error as AdapterError {
            #expect(error.diagnosis["url"] == url)
            #expect(error.diagnosis["header"] == "x-plivo-signature-v3")
            #expect(!error.description.contains(good.headers["x-plivo-signature-v3"]!))
        }
    }

    @Test func smsMapsToHandle() throws {
        let calls = try adapter(for: ch).normalize(try request("text.form"))
        #expect(calls.count == 1)
        let c = try #require(calls.first)
        #expect(c.kind == .handle)
        #expect(c.key == "16ae8a9c-0d2b-11f0-9c3a-0242ac110003")
        #expect(c.providerId == "14155550100")
        #expect(c.message == InboundMessage(id: "16ae8a9c-0d2b-11f0-9c3a-0242ac110003", type: .text, text: "Hello, I need help with my order"))
        #expect(c.provider == ProviderInfo(name: "plivo", recipientId: "14155550199"))
    }

    @Test func mmsCarriesEveryMediaItemAndTheBody() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("mms.form")).first)
        #expect(c.key == "2b1c0e5e-0d2c-11f0-9c3a-0242ac110003")
        #expect(c.message?.text == "Photo of the damaged parcel")
        #expect(c.message?.type == .document)
        #expect(
            c.message?.media?.map(\.url) == [
                "https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/2b1c0e5e-0d2c-11f0-9c3a-0242ac110003/Media/1",
                "https://media.plivo.com/Account/MAXXXXXXXXXXXXXXXXXX/Message/2b1c0e5e-0d2c-11f0-9c3a-0242ac110003/Media/2",
            ])
    }

    @Test func whatsappMediaAndButtons() throws {
        let a = try adapter(for: ch)
        let media = try #require(try a.normalize(try request("whatsapp-media.form")).first)
        #expect(media.providerId == "4915123456789")
        #expect(media.message?.type == .document)
        #expect(media.message?.text == "Here is the invoice")
        #expect(media.message?.media == [.init(url: "https://media.plivo.com/whatsapp/7f3e2d1c-0d2d-11f0-9c3a-0242ac110003.pdf", mimeType: "application/pdf")])

        let button = try #require(try a.normalize(try request("whatsapp-button.form")).first)
        #expect(button.message?.type == .postback)
        #expect(button.message?.payload == "CONFIRM_APPOINTMENT")
        #expect(button.message?.text == "Yes, confirm")
        #expect(button.message?.replyTo == "5c4b3a29-0d2d-11f0-9c3a-0242ac110003")
    }

    @Test func optOutIsTheMessageAndAnUnsubscribeEvent() throws {
        let calls = try adapter(for: ch).normalize(try request("optout.form"))
        #expect(calls.map(\.key) == ["9d8c7b6a-0d2e-11f0-9c3a-0242ac110003", "9d8c7b6a-0d2e-11f0-9c3a-0242ac110003:optout"])
        #expect(calls[0].message?.text == "STOP")
        #expect(calls[1].kind == .event)
        #expect(calls[1].event == "user_unsubscribed")
        #expect(calls[1].provider.event == "optout")
        #expect(calls[1].providerId == "14155550102")
    }

    @Test func statusCallbacksBecomeEvents() throws {
        let a = try adapter(for: ch)
        let delivered = try #require(try a.normalize(try request("status-delivered.form")).first)
        #expect(delivered.kind == .event)
        #expect(delivered.event == "message_delivered")
        #expect(delivered.key == "db3ce55a-7f1d-11f0-8e7c-0242ac110002:delivered")
        #expect(delivered.providerId == "14155550100")
        #expect(delivered.provider == ProviderInfo(name: "plivo", recipientId: "14155550199", event: "delivered"))
        #expect(delivered.message?.text == nil)

        let failed = try #require(try a.normalize(try request("status-undelivered.form")).first)
        #expect(failed.event == "message_failed")
        #expect(failed.key == "e4f5a6b7-7f1d-11f0-8e7c-0242ac110002:undelivered")
        #expect(failed.message?.text == "ErrorCode 30")
        #expect(try a.normalize(try request("status-sent.form")).isEmpty)
    }

    @Test func getCallbacksAreReadFromTheQuery() throws {
        let a = try adapter(for: ch)
        #expect(a.methods.contains("GET"))
        let query = String(decoding: try sample("plivo", "text.form"), as: UTF8.self)
        let get = try signed(ch, body: [], contentType: Self.form, url: url + "?" + query)
        var asGet = get
        asGet.method = "GET"
        let c = try #require(try a.normalize(asGet).first)
        #expect(c.key == "16ae8a9c-0d2b-11f0-9c3a-0242ac110003")
    }

    /// Issue 12: with a JSON content type the body was left out of the signed string but still
    /// read as a form, so a signature over the URL alone carried any form body. Plivo's SDK signs
    /// a POST's parameters as form fields and knows no content type: the body is now signed, and
    /// read, as a form whatever its label.
    @Test func aBodyIsReadOnlyWhenTheSignatureCoversIt() throws {
        let a = try adapter(for: ch)
        let nonce = "27182818"
        // The V3 signature of the bare URL, as Plivo signs a POST without parameters (or a GET without query).
        let urlOnly = Signatures.base64(Signatures.hmac(.sha256, key: "plivo-auth-token", message: Array("\(url).\(nonce)".utf8)))
        let forged = try sample("plivo", "text.form")
        for contentType in ["application/json", "application/json; charset=utf-8", "text/plain", nil] {
            var headers = HeaderFields()
            headers.add("X-Plivo-Signature-V3", urlOnly)
            headers.add("X-Plivo-Signature-V3-Nonce", nonce)
            if let contentType { headers.add("Content-Type", contentType) }
            expectUnauthorized { try a.verify(InboundRequest(method: "POST", url: url, headers: headers, body: forged)) }
            // The URL-only signature still verifies an empty body, whose calls are none.
            let empty = InboundRequest(method: "POST", url: url, headers: headers, body: [])
            try a.verify(empty)
            #expect(throws: AdapterError.self) { try a.normalize(empty) }
        }
        // A genuine request relabeled: the same signature covers the same fields, the same calls come out.
        let good = try request("text.form")
        for contentType in ["application/json", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"] {
            let relabeled = good.replacingHeader("Content-Type", with: contentType)
            try a.verify(relabeled)
            #expect(try a.normalize(relabeled) == a.normalize(good))
        }
        // A body that is no url-encoded form cannot be covered by a V3 signature.
        var notAForm = good
        notAForm.body = Array("From=1&Text=%ZZ".utf8)
        expectUnauthorized { try a.verify(notAForm) }
    }

    @Test func badFormsAreRejected() throws {
        let a = try adapter(for: ch)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("a=%ZZ".utf8), contentType: Self.form, url: url)) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: [], contentType: Self.form, url: url)) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("Text=hi".utf8), contentType: Self.form, url: url)) }
        #expect(a.acknowledgement(for: try request("text.form")).status == 200)
    }
}
