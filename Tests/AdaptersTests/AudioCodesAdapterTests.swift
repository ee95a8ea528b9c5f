import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct AudioCodesAdapterTests {
    static let conversation = "c7a4f3e2-5b1d-4e8f-9a0c-2d3e4f5a6b7c"
    static let samples = [
        "start.json", "activities-1-start.json", "activities-2-speech.json", "activities-3-dtmf.json", "activities-4-speech.json", "disconnect.json",
    ]
    let ch = channel("audiocodes", secrets: ["token": "cc-tok-audiocodes-test"])
    let base = "https://hooks.example.com/webhooks/ch_audiocodes"

    static func subpath(_ name: String) -> String {
        let word = String(name.prefix(while: { $0 != "-" && $0 != "." }))
        return word == "start" ? "" : "/" + word
    }

    func request(_ name: String, method: String = "POST") throws -> InboundRequest {
        let subpath = Self.subpath(name)
        var r = try signed(ch, body: try sample("audiocodes", name), contentType: "application/json", url: base + subpath)
        r.subpath = subpath
        r.method = method
        return r
    }

    func voice() throws -> any VoiceChannelAdapter { try #require(try adapter(for: ch) as? any VoiceChannelAdapter) }

    @Test func descriptorFollowsTheConfigContract() throws {
        let d = try #require(AdapterRegistry.standard["audiocodes"])
        #expect(d.requiredSecrets == ["token"])
        #expect(d.settings.isEmpty)
        #expect(d.isVoice)
    }

    @Test(arguments: samples)
    func bearerTokenGoodWrongMissing(_ name: String) throws {
        let good = try request(name)
        let a = try voice()
        if name == "start.json" {
            #expect(try a.handshake(good) != nil)
            #expect(throws: AdapterError.self) { try a.handshake(good.replacingHeader("Authorization", with: "Bearer wrong")) }
            #expect(throws: AdapterError.self) { try a.handshake(good.replacingHeader("Authorization", with: nil)) }
            return
        }
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Bearer cc-tok-audiocodes-tesT")) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: "Basic Y2MtdG9r")) }
        expectUnauthorized { try a.verify(good.replacingHeader("Authorization", with: nil)) }
    }

    /// AudioCodes signs nothing: a tampered or stale body passes the token check, and only its key
    /// (the activity id) catches a replay.
    @Test func aReplayedActivityHasTheSameKey() throws {
        let a = try voice()
        let first = try #require(try a.normalize(try request("activities-2-speech.json")).first)
        var later = try request("activities-2-speech.json")
        later.receivedAt = later.receivedAt.addingTimeInterval(3600)
        #expect(try a.normalize(later).first?.key == first.key)
    }

    @Test func handshakesValidateCreateAndRefresh() throws {
        let a = try voice()
        var validate = try request("start.json", method: "GET")
        validate.body = []
        #expect(try a.handshake(validate)?.bodyText == #"{"type":"ac-bot-api","success":true}"#)
        let created = try #require(try a.handshake(try request("start.json")))
        #expect(created.contentType == "application/json")
        #expect(
            created.bodyText == """
                {"activitiesURL":"\(base)/activities","refreshURL":"\(base)/refresh","disconnectURL":"\(base)/disconnect","expiresSeconds":120}
                """)
        var refresh = try request("disconnect.json")
        refresh.subpath = "/refresh"
        #expect(try a.handshake(refresh)?.bodyText == #"{"expiresSeconds":120}"#)
        // Activities and the disconnect are not handshakes.
        #expect(try a.handshake(try request("activities-2-speech.json")) == nil)
        #expect(try a.handshake(try request("disconnect.json")) == nil)
    }

    @Test func aConversationMapsToStartTurnsAndEnd() throws {
        let a = try voice()
        let start = try #require(try a.normalize(try request("activities-1-start.json")).first)
        #expect(start.event == "call_started")
        #expect(start.providerId == "+49170111222")
        #expect(start.callee == "+4930123456")
        #expect(start.contact?.name == "Max Example")
        #expect(start.key == "\(Self.conversation):start")
        #expect(start.provider.callId == Self.conversation)
        #expect(start.needsVoiceReply)

        let speech = try #require(try a.normalize(try request("activities-2-speech.json")).first)
        #expect(speech.kind == .handle)
        #expect(speech.providerId == "+49170111222")  // remembered from the start
        #expect(speech.provider.callId == Self.conversation)
        #expect(speech.message?.type == .speech)
        #expect(speech.message?.text == "Ich möchte einen Termin buchen.")
        #expect(speech.message?.confidence == 0.9123)
        #expect(speech.key == "\(Self.conversation):turn:a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b")

        let dtmf = try #require(try a.normalize(try request("activities-3-dtmf.json")).first)
        #expect(dtmf.message?.type == .dtmf)
        #expect(dtmf.message?.text == "42")
        #expect(dtmf.key == "\(Self.conversation):turn:a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b")

        let bye = try #require(try a.normalize(try request("activities-4-speech.json")).first)
        #expect(bye.message?.text == "Danke, bye.")
        #expect(bye.message?.confidence == 0.87)

        let end = try #require(try a.normalize(try request("disconnect.json")).first)
        #expect(end.event == "call_ended")
        #expect(end.providerId == "+49170111222")
        #expect(end.key == "\(Self.conversation):end")
        #expect(end.provider.event == "Client Side")
        #expect(!end.needsVoiceReply)
        #expect(try a.acknowledgement(for: try request("disconnect.json")).bodyText == "{}")
    }

    @Test func severalActivitiesInOnePostAndUnknownConversations() throws {
        let a = try voice()
        let body =
            #"{"conversation":"other-conv","activities":[{"id":"x1","type":"event","name":"speechHypothesis","value":"ja"},{"id":"x2","type":"message","text":"ja"},{"id":"x3","type":"event","name":"noUserInput"},{"id":"x4","type":"event","name":"hangup"}]}"#
        var r = try signed(ch, body: Array(body.utf8), contentType: "application/json", url: base + "/activities")
        r.subpath = "/activities"
        let calls = try a.normalize(r)
        #expect(calls.map(\.key) == ["other-conv:turn:x2", "other-conv:turn:x3", "other-conv:end"])
        // No start seen for this conversation: the conversation id stands in for the caller.
        #expect(calls.allSatisfy { $0.providerId == "other-conv" })
        #expect(calls[1].message?.text == "")
        #expect(!calls[2].needsVoiceReply)
    }

    @Test func rendersActivities() throws {
        var turn = try request("activities-2-speech.json")
        turn.receivedAt = Date(timeIntervalSince1970: 1_795_000_000)
        let reply = try voice().render(
            [
                .say(text: "Hallo & <willkommen>", language: "de-DE"), .play(url: "https://e.x/a.mp3"),
                .listen(timeoutSeconds: 4, language: "de-DE", hints: ["Termin", "Absage"]), .transfer(to: "+4930123456"), .hangup,
                .say(text: "never said", language: nil),
            ],
            for: turn, callbackURL: base + "/gather")
        #expect(reply.contentType == "application/json")
        let parsed = try JSONValue.parse(reply.body)
        let id = String(try #require(parsed[path: "activities"]?[0]?["id"]?.string).dropLast(2))
        #expect(
            reply.bodyText == """
                {"activities":[{"id":"\(id)-1","timestamp":"2026-11-18T11:06:40Z","type":"message","text":"Hallo & <willkommen>","language":"de-DE"},\
                {"id":"\(id)-2","timestamp":"2026-11-18T11:06:40Z","type":"event","name":"playUrl","activityParams":{"playUrlUrl":"https://e.x/a.mp3"}},\
                {"id":"\(id)-3","timestamp":"2026-11-18T11:06:40Z","type":"event","name":"config","sessionParams":{"userNoInputTimeoutMS":4000,"userNoInputSendEvent":true,"language":"de-DE","sttContextPhrases":["Termin","Absage"]}},\
                {"id":"\(id)-4","timestamp":"2026-11-18T11:06:40Z","type":"event","name":"transfer","activityParams":{"transferTarget":"tel:+4930123456"}},\
                {"id":"\(id)-5","timestamp":"2026-11-18T11:06:40Z","type":"event","name":"hangup"}]}
                """)
        // The same request renders the same ids (a retry), and "listen again" alone adds nothing.
        #expect(try voice().render([.say(text: "Hallo & <willkommen>", language: "de-DE")], for: turn, callbackURL: "").bodyText.contains("\"id\":\"\(id)-1\""))
        #expect(try voice().render(VoiceAction.listenAgain, for: turn, callbackURL: "").bodyText == #"{"activities":[]}"#)
    }

    @Test func onlyPostIsUsedBeyondTheValidation() throws {
        #expect(try voice().methods == ["POST"])
        var r = try request("activities-2-speech.json")
        r.subpath = "/elsewhere"
        #expect(throws: AdapterError.self) { try voice().normalize(r) }
    }
}
