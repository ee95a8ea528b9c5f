import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct TelnyxVoiceAdapterTests {
    static let demoPublicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
    static let callSid = "v3:9X2vxPDFY2RHSJ1EdMS0RHRksMTg3UjcVXuRkLRvl8KHbE0s4ke0OA"
    let ch = channel("telnyx-voice", secrets: ["publicKey": demoPublicKey])
    let base = "https://hooks.example.com/webhooks/ch_telnyx-voice"

    func request(_ name: String, subpath: String = "") throws -> InboundRequest {
        var r = try signed(ch, body: try sample("telnyx-voice", name), contentType: "application/x-www-form-urlencoded", url: base + subpath)
        r.subpath = subpath
        return r
    }

    func voice() throws -> any VoiceChannelAdapter { try #require(try adapter(for: ch) as? any VoiceChannelAdapter) }

    @Test func descriptorFollowsTheConfigContract() throws {
        let d = try #require(AdapterRegistry.standard["telnyx-voice"])
        #expect(d.requiredSecrets == ["publicKey"])
        #expect(d.settings == ["toleranceSeconds"])
        #expect(d.isVoice)
    }

    @Test(arguments: ["start.form", "gather-1-speech.form", "gather-2-dtmf.form", "gather-3-speech.form", "status-completed.form"])
    func signatureGoodWrongMissingStaleTampered(_ name: String) throws {
        let good = try request(name)
        try voice().verify(good)
        // Wrong key: any other valid Ed25519 public key.
        let other = try adapter(
            for: channel("telnyx-voice", secrets: ["publicKey": Signatures.base64(Signatures.ed25519PublicKey(seed: Array(repeating: 7, count: 32))!)]))
        expectUnauthorized { try other.verify(good) }
        expectUnauthorized { try voice().verify(good.replacingHeader("telnyx-signature-ed25519", with: nil)) }
        expectUnauthorized { try voice().verify(good.replacingHeader("telnyx-timestamp", with: nil)) }
        var stale = good
        stale.receivedAt = good.receivedAt.addingTimeInterval(301)
        expectUnauthorized { try voice().verify(stale) }
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "%2B49170111222", with: "%2B49170999999").utf8)
        expectUnauthorized { try voice().verify(tampered) }
    }

    @Test func sdkSignedSamplesVerifyAndSignSampleMatchesThem() throws {
        // Tests/e2e/sdk_vectors_telnyx_voice.py: PyNaCl signed, telnyx SDK's verify_webhook_signature accepted.
        #expect(TelnyxVoiceSDKVectors.publicKey == Self.demoPublicKey)
        for vector in TelnyxVoiceSDKVectors.all {
            let body = try sample("telnyx-voice", vector.sample)
            let at = Date(timeIntervalSince1970: Double(vector.timestamp)!)
            var headers = HeaderFields()
            headers.add("telnyx-timestamp", vector.timestamp)
            headers.add("telnyx-signature-ed25519", vector.signature)
            headers.add("content-type", "application/x-www-form-urlencoded")
            try voice().verify(InboundRequest(method: "POST", url: base, headers: headers, body: body, receivedAt: at.addingTimeInterval(10)))
            var request = SampleRequest(url: base, contentType: "application/x-www-form-urlencoded", body: body, now: at)
            try #require(AdapterRegistry.standard["telnyx-voice"]).signSample(&request, ch)
            #expect(request.inbound.headers["telnyx-signature-ed25519"] == vector.signature)
        }
    }

    @Test func aCallsLifeMapsToStartTurnsAndEnd() throws {
        let start = try #require(try voice().normalize(try request("start.form")).first)
        #expect(start.event == "call_started")
        #expect(start.providerId == "+49170111222")
        #expect(start.callee == "+4930123456")
        #expect(start.key == "\(Self.callSid):start")
        #expect(start.provider.callId == Self.callSid)
        #expect(start.provider.name == "telnyx-voice")
        #expect(start.needsVoiceReply)

        let speech = try #require(try voice().normalize(try request("gather-1-speech.form", subpath: "/gather")).first)
        #expect(speech.kind == .handle)
        #expect(speech.providerId == "+49170111222")
        #expect(speech.callee == "+4930123456")
        #expect(speech.provider.callId == Self.callSid)
        #expect(speech.message?.type == .speech)
        #expect(speech.message?.text == "Ich möchte einen Termin buchen.")
        #expect(speech.message?.confidence == 0.92)
        #expect(speech.key.hasPrefix("\(Self.callSid):turn:"))
        // Telnyx's retry of the same turn (same bytes) has the same key.
        #expect(try voice().normalize(try request("gather-1-speech.form", subpath: "/gather")).first?.key == speech.key)

        let dtmf = try #require(try voice().normalize(try request("gather-2-dtmf.form", subpath: "/gather")).first)
        #expect(dtmf.message?.type == .dtmf)
        #expect(dtmf.message?.text == "42")
        #expect(dtmf.key != speech.key)

        let bye = try #require(try voice().normalize(try request("gather-3-speech.form", subpath: "/gather")).first)
        #expect(bye.message?.text == "Danke, bye.")
        #expect(bye.message?.confidence == 0.87)
        #expect(![speech.key, dtmf.key].contains(bye.key))

        let end = try #require(try voice().normalize(try request("status-completed.form", subpath: "/status")).first)
        #expect(end.event == "call_ended")
        #expect(end.key == "\(Self.callSid):end")
        #expect(end.provider.event == "completed")
        #expect(!end.needsVoiceReply)
        #expect(try voice().acknowledgement(for: try request("status-completed.form")).bodyText.hasSuffix("<Response/>"))
    }

    @Test func aSequenceNumberKeysTheTurnAndOtherStatusCallbacksAreIgnored() throws {
        let form = "CallSid=c1&From=%2B491&To=%2B492&CallStatus=in-progress&SequenceNumber=7&SpeechResult=ja"
        var r = SampleRequest(url: base + "/gather", contentType: "application/x-www-form-urlencoded", body: Array(form.utf8))
        AdapterRegistryAccess.sign(&r, ch)
        var inbound = r.inbound
        inbound.subpath = "/gather"
        #expect(try voice().normalize(inbound).first?.key == "c1:turn:7")

        let answered = "CallSid=c1&From=%2B491&To=%2B492&CallStatus=in-progress&CallbackSource=call-progress-events"
        var s = SampleRequest(url: base + "/status", contentType: "application/x-www-form-urlencoded", body: Array(answered.utf8))
        AdapterRegistryAccess.sign(&s, ch)
        var status = s.inbound
        status.subpath = "/status"
        try voice().verify(status)
        #expect(try voice().normalize(status).isEmpty)
    }

    @Test func rendersTeXML() throws {
        let reply = try voice().render(
            [
                .say(text: "Hallo & <willkommen>", language: "de-DE"), .play(url: "https://e.x/a.mp3"),
                .listen(timeoutSeconds: 4, language: "de-DE", hints: ["Termin", "Absage"]), .transfer(to: "+4930"), .hangup,
            ],
            for: try request("start.form"), callbackURL: base + "/gather")
        #expect(reply.contentType?.hasPrefix("text/xml") == true)
        #expect(
            reply.bodyText == """
                <?xml version="1.0" encoding="UTF-8"?><Response><Say language="de-DE">Hallo &amp; &lt;willkommen&gt;</Say><Play>https://e.x/a.mp3</Play>\
                <Gather input="dtmf speech" action="https://hooks.example.com/webhooks/ch_telnyx-voice/gather" timeout="4" language="de-DE" hints="Termin,Absage"/>\
                <Redirect method="POST">https://hooks.example.com/webhooks/ch_telnyx-voice/gather</Redirect><Dial>+4930</Dial><Hangup/></Response>
                """)
        let again = try voice().render(VoiceAction.listenAgain, for: try request("start.form"), callbackURL: base + "/gather")
        #expect(again.bodyText.contains(#"<Gather input="dtmf speech" action="https://hooks.example.com/webhooks/ch_telnyx-voice/gather" timeout="5"/>"#))
    }

    /// Issue 12 (replaces `getRequestsCarryTheirParametersInTheQuery`, which asserted the hole):
    /// Telnyx signs `timestamp|body`, so a GET's signature covers only its timestamp and every
    /// field in its query is the sender's choice. A GET is not a method of this provider (405),
    /// fails verification, and yields no call from query fields.
    @Test func getRequestsAreRefusedBecauseTheQueryIsNotSigned() throws {
        let url = base + "?CallSid=c2&From=%2B49111&To=%2B49222&CallStatus=ringing"
        var r = SampleRequest(method: "GET", url: url, contentType: "application/x-www-form-urlencoded", body: [])
        AdapterRegistryAccess.sign(&r, ch)
        #expect(try voice().methods.contains("GET") == false)
        expectUnauthorized { try voice().verify(r.inbound) }
        #expect(throws: AdapterError.self) { try voice().normalize(r.inbound) }
        // The same signature on another query: nothing tells them apart, which is why neither passes.
        var other = r.inbound
        other.url = base + "?CallSid=c3&From=%2B49999&To=%2B49222&CallStatus=ringing"
        other.query = FormField.parseQuery(ofURL: other.url)
        expectUnauthorized { try voice().verify(other) }

        // A POST's query is not read either: its fields come from the signed body alone.
        var post = SampleRequest(url: url, contentType: "application/x-www-form-urlencoded", body: [])
        AdapterRegistryAccess.sign(&post, ch)
        try voice().verify(post.inbound)
        #expect(throws: AdapterError.self) { try voice().normalize(post.inbound) }
        var withBody = post.inbound
        withBody.body = try sample("telnyx-voice", "start.form")
        expectUnauthorized { try voice().verify(withBody) }

        // Telnyx Messaging shares the check.
        let messaging = try adapter(for: channel("telnyx", secrets: ["publicKey": Self.demoPublicKey]))
        #expect(!messaging.methods.contains("GET"))
        expectUnauthorized { try messaging.verify(r.inbound) }
    }
}
