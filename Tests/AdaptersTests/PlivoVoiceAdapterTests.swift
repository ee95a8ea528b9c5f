import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct PlivoVoiceAdapterTests {
    static let callUUID = "3f2e1d0c-9b8a-4776-a5b4-c3d2e1f0a9b8"
    static let samples = ["start.form", "gather-1-speech.form", "gather-2-dtmf.form", "gather-3-speech.form", "status-completed.form"]
    let ch = channel("plivo-voice", secrets: ["authToken": "voice-token"])
    let base = "https://hooks.example.com/webhooks/ch_plivo-voice"

    static func subpath(_ name: String) -> String { name.hasPrefix("gather") ? "/gather" : name.hasPrefix("status") ? "/status" : "" }

    func request(_ name: String) throws -> InboundRequest {
        let subpath = Self.subpath(name)
        var r = try signed(ch, body: try sample("plivo-voice", name), contentType: "application/x-www-form-urlencoded", url: base + subpath)
        r.subpath = subpath
        return r
    }

    func voice(_ c: ChannelConfiguration? = nil) throws -> any VoiceChannelAdapter {
        try #require(try adapter(for: c ?? ch) as? any VoiceChannelAdapter)
    }

    @Test func descriptorFollowsTheConfigContract() throws {
        let d = try #require(AdapterRegistry.standard["plivo-voice"])
        #expect(d.requiredSecrets == ["authToken"])
        #expect(d.settings.isEmpty)
        #expect(d.isVoice)
    }

    @Test(arguments: samples)
    func signatureGoodWrongMissingTamperedAndMoved(_ name: String) throws {
        let good = try request(name)
        try voice().verify(good)
        expectUnauthorized { try voice(channel("plivo-voice", secrets: ["authToken": "other-token"])).verify(good) }
        expectUnauthorized { try voice().verify(good.replacingHeader("X-Plivo-Signature-V3", with: nil)) }
        expectUnauthorized { try voice().verify(good.replacingHeader("X-Plivo-Signature-V3-Nonce", with: nil)) }
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "From=49170111222", with: "From=49170999999").utf8)
        expectUnauthorized { try voice().verify(tampered) }
        // The signature covers the URL: a start signed for the channel URL does not pass at another path.
        var moved = good
        moved.url = base + "/elsewhere"
        expectUnauthorized { try voice().verify(moved) }
    }

    /// Plivo signs no timestamp, so "stale" cannot be told from the request: a replay is caught
    /// by the key (the same bytes give the same key, and the store or the chatbot drops it).
    @Test func aReplayedTurnHasTheSameKey() throws {
        let first = try #require(try voice().normalize(try request("gather-1-speech.form")).first)
        var later = try request("gather-1-speech.form")
        later.receivedAt = later.receivedAt.addingTimeInterval(3600)
        try voice().verify(later)
        #expect(try voice().normalize(later).first?.key == first.key)
    }

    @Test func sdkSignedSamplesVerify() throws {
        // Tests/e2e/sdk_vectors_plivo_voice.py: plivo's get_signature_v3, validate_v3_signature accepted.
        let c = channel("plivo-voice", secrets: ["authToken": PlivoVoiceSDKVectors.authToken])
        for v in PlivoVoiceSDKVectors.all {
            var headers = HeaderFields()
            headers.add("X-Plivo-Signature-V3", v.signature)
            headers.add("X-Plivo-Signature-V3-Nonce", PlivoVoiceSDKVectors.nonce)
            headers.add("content-type", "application/x-www-form-urlencoded")
            try voice(c).verify(InboundRequest(method: "POST", url: v.url, headers: headers, body: try sample("plivo-voice", v.sample)))
        }
    }

    @Test func aCallsLifeMapsToStartTurnsAndEnd() throws {
        let start = try #require(try voice().normalize(try request("start.form")).first)
        #expect(start.event == "call_started")
        #expect(start.providerId == "49170111222")
        #expect(start.callee == "4930123456")
        #expect(start.key == "\(Self.callUUID):start")
        #expect(start.provider.callId == Self.callUUID)
        #expect(start.provider.event == "ringing")
        #expect(start.needsVoiceReply)

        let speech = try #require(try voice().normalize(try request("gather-1-speech.form")).first)
        #expect(speech.kind == .handle)
        #expect(speech.providerId == "49170111222")
        #expect(speech.callee == "4930123456")
        #expect(speech.provider.callId == Self.callUUID)
        #expect(speech.message?.type == .speech)
        #expect(speech.message?.text == "Ich möchte einen Termin buchen.")
        #expect(speech.message?.confidence == 0.934)
        #expect(speech.key.hasPrefix("\(Self.callUUID):turn:"))

        let dtmf = try #require(try voice().normalize(try request("gather-2-dtmf.form")).first)
        #expect(dtmf.message?.type == .dtmf)
        #expect(dtmf.message?.text == "42")
        #expect(dtmf.message?.confidence == nil)
        #expect(dtmf.key != speech.key)

        let bye = try #require(try voice().normalize(try request("gather-3-speech.form")).first)
        #expect(bye.message?.text == "Danke, bye.")
        #expect(![speech.key, dtmf.key].contains(bye.key))

        let end = try #require(try voice().normalize(try request("status-completed.form")).first)
        #expect(end.event == "call_ended")
        #expect(end.key == "\(Self.callUUID):end")
        #expect(end.provider.event == "completed")
        #expect(!end.needsVoiceReply)
        #expect(try voice().acknowledgement(for: try request("status-completed.form")).bodyText == "<Response/>")
    }

    @Test func rendersPlivoXMLAsPlivosOwnBuilderDoes() throws {
        let callback = base + "/gather"
        let reply = try voice().render(
            [
                .say(text: "Hallo & <willkommen>", language: "de-DE"), .play(url: "https://e.x/a.mp3"),
                .listen(timeoutSeconds: 5, language: "de-DE", hints: ["Termin", "Absage"]), .transfer(to: "+4930123456"), .hangup,
            ],
            for: try request("start.form"), callbackURL: callback)
        #expect(reply.contentType?.hasPrefix("text/xml") == true)
        #expect(reply.bodyText == PlivoVoiceSDKVectors.renderedXML)
        #expect(
            reply.bodyText == """
                <Response><Speak language="de-DE">Hallo &amp; &lt;willkommen&gt;</Speak><Play>https://e.x/a.mp3</Play>\
                <GetInput action="https://hooks.example.com/webhooks/ch_plivo-voice/gather" method="POST" inputType="speech dtmf" executionTimeout="5" \
                hints="Termin,Absage" language="de-DE"/><Redirect method="POST">https://hooks.example.com/webhooks/ch_plivo-voice/gather</Redirect>\
                <Dial><Number>+4930123456</Number></Dial><Hangup/></Response>
                """)
        let again = try voice().render(VoiceAction.listenAgain, for: try request("start.form"), callbackURL: callback)
        #expect(
            again.bodyText.contains(#"<GetInput action="https://hooks.example.com/webhooks/ch_plivo-voice/gather" method="POST" inputType="speech dtmf"/>"#))
    }

    /// Issue 12: a body labelled JSON was left out of the V3 signature yet read as the call's
    /// fields. It is now signed as a form like any other body, so a signature of the bare URL
    /// does not carry it.
    @Test func aBodyUnderAnotherContentTypeIsStillSigned() throws {
        let nonce = "16180339"
        let url = base + "/gather"
        let urlOnly = Signatures.base64(Signatures.hmac(.sha256, key: "voice-token", message: Array("\(url).\(nonce)".utf8)))
        var headers = HeaderFields()
        headers.add("X-Plivo-Signature-V3", urlOnly)
        headers.add("X-Plivo-Signature-V3-Nonce", nonce)
        headers.add("Content-Type", "application/json")
        var request = InboundRequest(method: "POST", url: url, headers: headers, body: try sample("plivo-voice", "gather-2-dtmf.form"))
        request.subpath = "/gather"
        expectUnauthorized { try voice().verify(request) }
    }

    @Test func getRequestsCarryTheirParametersInTheQuery() throws {
        let url = base + "?CallUUID=u1&From=49111&To=49222&CallStatus=ringing&Event=StartApp"
        var r = SampleRequest(method: "GET", url: url, contentType: "application/x-www-form-urlencoded", body: [])
        AdapterRegistryAccess.sign(&r, ch)
        try voice().verify(r.inbound)
        let calls = try voice().normalize(r.inbound)
        #expect(calls.first?.event == "call_started")
        #expect(calls.first?.providerId == "49111")
        #expect(calls.first?.key == "u1:start")
        // A POST body is not read for a GET.
        #expect(try voice().normalize(r.inbound).count == 1)
    }
}
