import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct TelnyxAdapterTests {
    /// The public key of the demo seed 0x00...0x1f that `signSample` signs with.
    static let demoPublicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
    let ch = channel("telnyx", secrets: ["publicKey": demoPublicKey])

    func request(_ name: String) throws -> InboundRequest {
        try signed(ch, body: try sample("telnyx", name), contentType: "application/json")
    }

    func vectorRequest(body: String, timestamp: String, signature: String, at seconds: Double) -> InboundRequest {
        var headers = HeaderFields()
        headers.add("telnyx-timestamp", timestamp)
        headers.add("telnyx-signature-ed25519", signature)
        headers.add("content-type", "application/json")
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_telnyx", headers: headers, body: Array(body.utf8),
            receivedAt: Date(timeIntervalSince1970: seconds))
    }

    @Test func publishedVectorVerifies() throws {
        // reference/providers.md: seed 0x00..0x1f, computed with PyNaCl as Telnyx's SDK verifies it.
        let body = #"{"data":{"event_type":"message.received","id":"e1"}}"#
        let sig = "czJpLYtvOM+wi2yUTulnvBrLEU9oxXcSuYfaFZmvXXT2Tei503jWsa8F12agH3WbQhk78MPhDNtq/r+JP6x+DQ=="
        let a = try adapter(for: ch)
        try a.verify(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_000))
        try a.verify(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_299))
        // Stale beyond the default 300 s window, and a timestamp that is not the signed one.
        expectUnauthorized { try a.verify(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_301)) }
        expectUnauthorized { try a.verify(vectorRequest(body: body, timestamp: "1700000001", signature: sig, at: 1_700_000_000)) }
        // The vector's key, derived from the seed, is the demo key.
        #expect(Signatures.ed25519PublicKey(seed: Array(0...31)).map { Signatures.base64($0) } == Self.demoPublicKey)
        // An event without a payload is authentic but means nothing.
        #expect(try a.normalize(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_000)).isEmpty)
    }

    @Test func sdkSignedSamplesVerify() throws {
        // Tests/e2e/sdk_vectors_telnyx.py: PyNaCl signed, telnyx SDK's verify_webhook_signature accepted.
        for vector in TelnyxSDKVectors.all {
            let body = String(decoding: try sample("telnyx", vector.sample), as: UTF8.self)
            try adapter(for: ch).verify(
                vectorRequest(body: body, timestamp: vector.timestamp, signature: vector.signature, at: Double(vector.timestamp)! + 10))
            // Ed25519 is deterministic: signSample (what `simulate` sends) makes the very bytes the SDK accepted.
            var request = SampleRequest(
                url: "https://hooks.example.com/webhooks/ch_telnyx", contentType: "application/json", body: Array(body.utf8),
                now: Date(timeIntervalSince1970: Double(vector.timestamp)!))
            try #require(AdapterRegistry.standard["telnyx"]).signSample(&request, ch)
            #expect(request.inbound.headers["telnyx-signature-ed25519"] == vector.signature)
            #expect(request.inbound.headers["telnyx-timestamp"] == vector.timestamp)
        }
    }

    @Test func toleranceSettingWidensOrNarrowsTheWindow() throws {
        let body = #"{"data":{"event_type":"message.received","id":"e1"}}"#
        let sig = "czJpLYtvOM+wi2yUTulnvBrLEU9oxXcSuYfaFZmvXXT2Tei503jWsa8F12agH3WbQhk78MPhDNtq/r+JP6x+DQ=="
        let wide = try adapter(for: channel("telnyx", secrets: ["publicKey": Self.demoPublicKey], settings: ["toleranceSeconds": "900"]))
        try wide.verify(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_800))
        let narrow = try adapter(for: channel("telnyx", secrets: ["publicKey": Self.demoPublicKey], settings: ["toleranceSeconds": "5"]))
        expectUnauthorized { try narrow.verify(vectorRequest(body: body, timestamp: "1700000000", signature: sig, at: 1_700_000_006)) }
    }

    @Test func signatureIsCheckedOverTimestampAndRawBody() throws {
        let a = try adapter(for: ch)
        let good = try request("text.json")
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("telnyx-signature-ed25519", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("telnyx-timestamp", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("telnyx-signature-ed25519", with: "not base64!")) }
        expectUnauthorized { try a.verify(good.replacingHeader("telnyx-signature-ed25519", with: Signatures.base64([UInt8](repeating: 7, count: 64)))) }
        var tampered = good
        tampered.body[tampered.body.count / 2] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        var stale = good
        stale.receivedAt = good.receivedAt.addingTimeInterval(301)
        expectUnauthorized { try a.verify(stale) }
        // Another account's key.
        let other = channel("telnyx", secrets: ["publicKey": Signatures.base64(Signatures.ed25519PublicKey(seed: Array(repeating: 9, count: 32))!)])
        expectUnauthorized { try adapter(for: other).verify(good) }
        let broken = channel("telnyx", secrets: ["publicKey": "short"])
        expectUnauthorized { try adapter(for: broken).verify(good) }
    }

    @Test func diagnosisNamesTheCheckButNoSignature() throws {
        let good = try request("text.json")
        let forged = good.replacingHeader("telnyx-signature-ed25519", with: Signatures.base64([UInt8](repeating: 7, count: 64)))
        do {
            try adapter(for: ch).verify(forged)
            Issue.record("expected unauthorized")
        } catch let error as AdapterError {
            #expect(error.diagnosis["header"] == "telnyx-signature-ed25519")
            #expect(error.diagnosis["bodyBytes"] == String(good.body.count))
            #expect(!error.description.contains(forged.headers["telnyx-signature-ed25519"]!))
        }
    }

    @Test func textMessageMapsToHandle() throws {
        let calls = try adapter(for: ch).normalize(try request("text.json"))
        #expect(calls.count == 1)
        let c = try #require(calls.first)
        #expect(c.kind == .handle)
        #expect(c.key == "84cca175-9755-4859-b67f-4730d7f58aa3")
        #expect(c.providerId == "+13125550001")
        #expect(
            c.message
                == InboundMessage(
                    id: "84cca175-9755-4859-b67f-4730d7f58aa3", type: .text, text: "Hi, I would like to book an appointment",
                    timestamp: "2026-11-24T10:00:00.000+00:00"))
        #expect(c.contact == InboundContact(phone: "+13125550001"))
        #expect(c.provider == ProviderInfo(name: "telnyx", recipientId: "+13125550002"))
    }

    @Test func mmsCarriesEveryMediaItemAndTheText() throws {
        let c = try #require(try adapter(for: ch).normalize(try request("mms.json")).first)
        #expect(c.key == "40385f64-5717-4562-b3fc-2c963f66afa6")
        #expect(c.providerId == "+13125550003")
        #expect(c.message?.type == .image)
        #expect(c.message?.text == "Here is the photo of the meter")
        #expect(
            c.message?.media == [
                .init(url: "https://media.telnyx.com/example/4d5e6f70-image.jpg", mimeType: "image/jpeg"),
                .init(url: "https://media.telnyx.com/example/4d5e6f71-contact.vcf", mimeType: "text/x-vcard"),
            ])
    }

    @Test func finalizedReceiptsCarryTheStatusWord() throws {
        let a = try adapter(for: ch)
        let delivered = try #require(try a.normalize(try request("finalized-delivered.json")).first)
        #expect(delivered.kind == .event)
        #expect(delivered.event == "message_delivered")
        #expect(delivered.key == "ac012cbf-5e33-4a1c-9a5f-2dc4b2a0f1e3:delivered")
        #expect(delivered.providerId == "+13125550001")
        #expect(delivered.provider == ProviderInfo(name: "telnyx", recipientId: "+13125550002", event: "delivered"))
        #expect(delivered.message?.timestamp == "2026-11-24T10:01:14.148+00:00")

        let failed = try #require(try a.normalize(try request("finalized-failed.json")).first)
        #expect(failed.event == "message_failed")
        #expect(failed.key == "e2f0a9d4-7c61-4b1e-9e0e-6a8c1f2d3e4f:delivery_failed")
        #expect(failed.providerId == "+13125550004")
        #expect(failed.message?.text == "The message could not be delivered to the handset.")
    }

    @Test func sentAndUnknownEventsAreIgnoredAndGarbageIsRejected() throws {
        let a = try adapter(for: ch)
        #expect(try a.normalize(try request("sent.json")).isEmpty)
        let unknown = #"{"data":{"event_type":"message.future","id":"x","payload":{"id":"p"}}}"#
        #expect(try a.normalize(try signed(ch, body: Array(unknown.utf8), contentType: "application/json")).isEmpty)
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("{nope".utf8), contentType: "application/json")) }
        #expect(throws: AdapterError.self) { try a.normalize(try signed(ch, body: Array("[1]".utf8), contentType: "application/json")) }
    }
}
