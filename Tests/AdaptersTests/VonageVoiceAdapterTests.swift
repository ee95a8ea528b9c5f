import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct VonageVoiceAdapterTests {
    static let uuid = "63f61863-4a51-4f6b-86e1-46edebcf9356"
    static let samples = ["start.json", "gather-1-speech.json", "gather-2-dtmf.json", "gather-3-speech.json", "status-completed.json"]
    let ch = channel("vonage-voice", secrets: ["signatureSecret": "vonage-voice-secret"])
    let base = "https://hooks.example.com/webhooks/ch_vonage-voice"

    static func subpath(_ name: String) -> String { name.hasPrefix("gather") ? "/gather" : name.hasPrefix("status") ? "/status" : "" }

    func request(_ name: String) throws -> InboundRequest {
        let subpath = Self.subpath(name)
        var r = try signed(ch, body: try sample("vonage-voice", name), contentType: "application/json", url: base + subpath)
        r.subpath = subpath
        return r
    }

    func voice(_ c: ChannelConfiguration? = nil) throws -> any VoiceChannelAdapter {
        try #require(try adapter(for: c ?? ch) as? any VoiceChannelAdapter)
    }

    func getRequest(_ query: String, now: Date = Date()) -> InboundRequest {
        var r = SampleRequest(method: "GET", url: base + "?" + query, contentType: "application/x-www-form-urlencoded", body: [], now: now)
        AdapterRegistryAccess.sign(&r, ch)
        return r.inbound
    }

    @Test func descriptorFollowsTheConfigContract() throws {
        let d = try #require(AdapterRegistry.standard["vonage-voice"])
        #expect(d.requiredSecrets == ["signatureSecret"])
        #expect(d.settings.isEmpty)
        #expect(d.isVoice)
    }

    @Test(arguments: samples)
    func signatureGoodWrongMissingStaleTampered(_ name: String) throws {
        let good = try request(name)
        try voice().verify(good)
        expectUnauthorized { try voice(channel("vonage-voice", secrets: ["signatureSecret": "other-secret"])).verify(good) }
        expectUnauthorized { try voice().verify(good.replacingHeader("Authorization", with: nil)) }
        // iat at most 300 s old, plus 60 s of clock leeway (VonageSignedWebhook), and not from the future.
        var stale = good
        stale.receivedAt = good.receivedAt.addingTimeInterval(361)
        expectUnauthorized { try voice().verify(stale) }
        var early = good
        early.receivedAt = good.receivedAt.addingTimeInterval(-61)
        expectUnauthorized { try voice().verify(early) }
        var tampered = good
        tampered.body = Array(String(decoding: good.body, as: UTF8.self).replacingOccurrences(of: "49170111222", with: "49170999999").utf8)
        expectUnauthorized { try voice().verify(tampered) }
    }

    @Test func sdkSignedRequestsVerify() throws {
        // Tests/e2e/sdk_vectors_vonage_voice.py: PyJWT tokens that vonage_jwt.verify_signature accepted.
        let c = channel("vonage-voice", secrets: ["signatureSecret": VonageVoiceSDKVectors.signatureSecret])
        for v in VonageVoiceSDKVectors.all {
            var headers = HeaderFields()
            headers.add("Authorization", "Bearer " + v.token)
            let at = Date(timeIntervalSince1970: VonageVoiceSDKVectors.iat + 10)
            let request: InboundRequest
            if v.method == "GET" {
                request = InboundRequest(method: "GET", url: v.url, headers: headers, receivedAt: at)
            } else {
                headers.add("content-type", "application/json")
                request = InboundRequest(method: "POST", url: v.url, headers: headers, body: try sample("vonage-voice", v.sample), receivedAt: at)
            }
            try voice(c).verify(request)
            if v.method == "GET" {
                // The query's hash, not the (empty) body's: an altered query fails.
                var altered = request
                altered.url = v.url.replacingOccurrences(of: "from=49170111222", with: "from=49170999999")
                altered.query = FormField.parseQuery(ofURL: altered.url)
                expectUnauthorized { try voice(c).verify(altered) }
                #expect(try voice(c).normalize(request).first?.key == "\(Self.uuid):start")
            }
        }
    }

    @Test func aCallsLifeMapsToStartTurnsAndEnd() throws {
        let start = try #require(try voice().normalize(try request("start.json")).first)
        #expect(start.event == "call_started")
        #expect(start.providerId == "49170111222")
        #expect(start.callee == "4930123456")
        #expect(start.key == "\(Self.uuid):start")
        #expect(start.provider.callId == Self.uuid)
        #expect(start.needsVoiceReply)

        let speech = try #require(try voice().normalize(try request("gather-1-speech.json")).first)
        #expect(speech.kind == .handle)
        #expect(speech.providerId == "49170111222")
        #expect(speech.callee == "4930123456")
        #expect(speech.provider.callId == Self.uuid)
        #expect(speech.message?.type == .speech)
        #expect(speech.message?.text == "Ich möchte einen Termin buchen.")
        #expect(speech.message?.confidence == 0.9405097)
        #expect(speech.key.hasPrefix("\(Self.uuid):turn:"))

        let dtmf = try #require(try voice().normalize(try request("gather-2-dtmf.json")).first)
        #expect(dtmf.message?.type == .dtmf)
        #expect(dtmf.message?.text == "42")
        #expect(dtmf.key != speech.key)

        let bye = try #require(try voice().normalize(try request("gather-3-speech.json")).first)
        #expect(bye.message?.text == "Danke, bye.")
        #expect(bye.message?.confidence == 0.88)
        #expect(![speech.key, dtmf.key].contains(bye.key))

        let end = try #require(try voice().normalize(try request("status-completed.json")).first)
        #expect(end.event == "call_ended")
        #expect(end.key == "\(Self.uuid):end")
        #expect(end.provider.event == "completed")
        #expect(!end.needsVoiceReply)
    }

    @Test func otherEventsAndSilenceAreMappedAsDocumented() throws {
        func post(_ json: String, subpath: String) throws -> InboundRequest {
            var r = try signed(ch, body: Array(json.utf8), contentType: "application/json", url: base + subpath)
            r.subpath = subpath
            return r
        }
        let answered = #"{"status":"answered","uuid":"u1","from":"491","to":"492","conversation_uuid":"CON-1"}"#
        #expect(try voice().normalize(try post(answered, subpath: "/status")).isEmpty)
        let silence = #"{"speech":{"timeout_reason":"start_timeout"},"dtmf":{"digits":null,"timed_out":false},"uuid":"u1","from":"491","to":"492"}"#
        let turn = try #require(try voice().normalize(try post(silence, subpath: "/gather")).first)
        #expect(turn.message?.type == .speech)
        #expect(turn.message?.text == "")
        #expect(turn.message?.confidence == nil)
    }

    @Test func answerURLByGETOrByPOST() throws {
        let query = "from=49170111222&to=4930123456&uuid=\(Self.uuid)&conversation_uuid=CON-1&region_url=https%3A%2F%2Fapi-eu-3.vonage.com"
        let get = getRequest(query)
        try voice().verify(get)
        let byGet = try #require(try voice().normalize(get).first)
        let byPost = try #require(try voice().normalize(try request("start.json")).first)
        #expect(byGet.event == byPost.event)
        #expect(byGet.providerId == byPost.providerId)
        #expect(byGet.callee == byPost.callee)
        #expect(byGet.key == byPost.key)
        var stale = get
        stale.receivedAt = get.receivedAt.addingTimeInterval(361)
        expectUnauthorized { try voice().verify(stale) }
    }

    @Test func rendersAnNCCOAsVonagesOwnModelsDo() throws {
        let answer = getRequest("from=49170111222&to=4930999999&uuid=u1")
        let callback = base + "/gather"
        let reply = try voice().render(
            [
                .say(text: "Hallo & <willkommen>", language: "de-DE"), .play(url: "https://e.x/a.mp3"),
                .listen(timeoutSeconds: 4, language: "de-DE", hints: ["Termin", "Absage"]), .transfer(to: "+4930123456"), .hangup,
                .say(text: "never said", language: nil),
            ],
            for: answer, callbackURL: callback)
        #expect(reply.contentType == "application/json")
        #expect(reply.bodyText == VonageVoiceSDKVectors.ncco)
        #expect(
            reply.bodyText == """
                [{"text":"Hallo & <willkommen>","language":"de-DE","action":"talk"},{"streamUrl":["https://e.x/a.mp3"],"action":"stream"},\
                {"type":["speech","dtmf"],"speech":{"language":"de-DE","context":["Termin","Absage"],"startTimeout":4,"saveAudio":false},\
                "eventUrl":["https://hooks.example.com/webhooks/ch_vonage-voice/gather"],"eventMethod":"POST","action":"input"},\
                {"endpoint":[{"number":"4930123456","type":"phone"}],"from":"4930999999","action":"connect"}]
                """)
        // A hangup alone is an empty NCCO: Vonage hangs up when it runs out of actions.
        #expect(try voice().render([.hangup], for: answer, callbackURL: callback).bodyText == "[]")
        let again = try voice().render(VoiceAction.listenAgain, for: try request("gather-1-speech.json"), callbackURL: callback)
        #expect(
            again.bodyText
                == #"[{"type":["speech","dtmf"],"speech":{"saveAudio":false},"eventUrl":["https://hooks.example.com/webhooks/ch_vonage-voice/gather"],"eventMethod":"POST","action":"input"}]"#
        )
    }
}
