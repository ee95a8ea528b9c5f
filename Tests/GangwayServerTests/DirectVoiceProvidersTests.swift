import Adapters
import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

/// Direct delivery through the real server for each voice provider beside Twilio: a signed start
/// and a signed turn, answered in the provider's language with the echo bot's words.
@Suite struct DirectVoiceProvidersTests {
    static func yaml(provider: String, secrets: String) -> (String) -> String {
        { upstream in
            """
            server: { host: 127.0.0.1, port: 0, publicURL: "https://hooks.example.com" }
            upstream: { baseURL: "\(upstream)", apiKey: k, retry: { maxAttempts: 2, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1 } }
            store: { path: STORE_PATH }
            channels:
              - id: voice
                name: Hotline
                provider: \(provider)
                chatbotId: bot_v
                deadlineSeconds: 3
                secrets: \(secrets)
            """
        }
    }

    static let demoEd25519PublicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="

    func post(_ h: Harness, _ provider: String, _ name: String, subpath: String = "", contentType: String) async throws -> Harness.Reply {
        let body = try sampleBytes(provider, name)
        let headers = try h.signedSample(
            channel: "voice", body: body, contentType: contentType, url: h.configuration.server.webhookURL(channelID: "voice") + subpath)
        return try await h.send(.POST, "/webhooks/voice" + subpath, body: body, headers: headers)
    }

    @Test func telnyxVoiceAnswersInTeXML() async throws {
        let form = "application/x-www-form-urlencoded"
        try await withGateway(yaml: Self.yaml(provider: "telnyx-voice", secrets: "{ publicKey: \"\(Self.demoEd25519PublicKey)\" }")) { h in
            let start = try await post(h, "telnyx-voice", "start.form", contentType: form)
            #expect(start.status == 200)
            #expect(start.body.contains("<Say>Hello, this is the Gangway demo bot. Say something.</Say>"))
            #expect(start.body.contains(#"<Gather input="dtmf speech" action="https://hooks.example.com/webhooks/voice/gather""#))
            let turn = try await post(h, "telnyx-voice", "gather-1-speech.form", subpath: "/gather", contentType: form)
            #expect(turn.body.contains("<Say>You said: Ich möchte einen Termin buchen.</Say>"))
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["async"] == .bool(false))
            #expect(sent["providerId"]?.string == "+49170111222")
            #expect(sent["callee"]?.string == "+4930123456")
            let end = try await post(h, "telnyx-voice", "status-completed.form", subpath: "/status", contentType: form)
            #expect(end.body.hasSuffix("<Response/>"))
            #expect(try await eventually { h.mock.recorded.contains { $0.json?["event"]?.string == "call_ended" } })
        }
    }
}

extension DirectVoiceProvidersTests {
    @Test func plivoVoiceAnswersInPlivoXML() async throws {
        let form = "application/x-www-form-urlencoded"
        try await withGateway(yaml: Self.yaml(provider: "plivo-voice", secrets: "{ authToken: plivo-token }")) { h in
            let start = try await post(h, "plivo-voice", "start.form", contentType: form)
            #expect(start.status == 200)
            #expect(start.body.contains("<Speak>Hello, this is the Gangway demo bot. Say something.</Speak>"))
            #expect(start.body.contains(#"<GetInput action="https://hooks.example.com/webhooks/voice/gather" method="POST" inputType="speech dtmf""#))
            let turn = try await post(h, "plivo-voice", "gather-1-speech.form", subpath: "/gather", contentType: form)
            #expect(turn.body.contains("<Speak>You said: Ich möchte einen Termin buchen.</Speak>"))
            let dtmf = try await post(h, "plivo-voice", "gather-2-dtmf.form", subpath: "/gather", contentType: form)
            #expect(dtmf.body.contains("<Speak>You pressed 42.</Speak>"))
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["providerId"]?.string == "49170111222")
            #expect(sent["callee"]?.string == "4930123456")
            let end = try await post(h, "plivo-voice", "status-completed.form", subpath: "/status", contentType: form)
            #expect(end.body == "<Response/>")
            #expect(try await eventually { h.mock.recorded.contains { $0.json?["event"]?.string == "call_ended" } })
        }
    }
}

extension DirectVoiceProvidersTests {
    @Test func vonageVoiceAnswersWithAnNCCO() async throws {
        let json = "application/json"
        try await withGateway(yaml: Self.yaml(provider: "vonage-voice", secrets: "{ signatureSecret: vonage-voice-secret }")) { h in
            let start = try await post(h, "vonage-voice", "start.json", contentType: json)
            #expect(start.status == 200)
            #expect(start.header("content-type") == "application/json")
            #expect(start.body.contains(#"{"text":"Hello, this is the Gangway demo bot. Say something.","action":"talk"}"#))
            #expect(start.body.contains(#""eventUrl":["https://hooks.example.com/webhooks/voice/gather"]"#))
            let turn = try await post(h, "vonage-voice", "gather-1-speech.json", subpath: "/gather", contentType: json)
            #expect(turn.body.contains(#"{"text":"You said: Ich möchte einen Termin buchen.","action":"talk"}"#))
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["providerId"]?.string == "49170111222")
            #expect(sent["callee"]?.string == "4930123456")
            #expect(sent[path: "message", "confidence"]?.double == 0.9405097)
            let end = try await post(h, "vonage-voice", "status-completed.json", subpath: "/status", contentType: json)
            #expect(end.status == 200)
            #expect(try await eventually { h.mock.recorded.contains { $0.json?["event"]?.string == "call_ended" } })
        }
    }

    @Test func vonageVoiceAnswerURLByGET() async throws {
        try await withGateway(yaml: Self.yaml(provider: "vonage-voice", secrets: "{ signatureSecret: vonage-voice-secret }")) { h in
            let query = "from=49170111222&to=4930123456&uuid=get-call-1&conversation_uuid=CON-1"
            let url = h.configuration.server.webhookURL(channelID: "voice") + "?" + query
            let ch = h.configuration.channel(id: "voice")!
            var request = SampleRequest(method: "GET", url: url, contentType: "application/json", body: [])
            AdapterRegistry.standard["vonage-voice"]!.signSample(&request, ch)
            let reply = try await h.send(.GET, "/webhooks/voice?" + query, headers: request.headers)
            #expect(reply.status == 200)
            #expect(reply.body.contains("Hello, this is the Gangway demo bot."))
            #expect(h.mock.recorded.last?.json?["providerId"]?.string == "49170111222")
        }
    }
}

extension DirectVoiceProvidersTests {
    @Test func audioCodesConversationThroughTheServer() async throws {
        let json = "application/json"
        try await withGateway(yaml: Self.yaml(provider: "audiocodes", secrets: "{ token: cc-tok-server-test }")) { h in
            let validate = try await h.send(.GET, "/webhooks/voice", headers: [("authorization", "Bearer cc-tok-server-test")])
            #expect(validate.body == #"{"type":"ac-bot-api","success":true}"#)
            #expect(try await h.send(.GET, "/webhooks/voice", headers: [("authorization", "Bearer nope")]).status == 401)
            let created = try await post(h, "audiocodes", "start.json", contentType: json)
            #expect(created.body.contains(#""activitiesURL":"https://hooks.example.com/webhooks/voice/activities""#))
            let start = try await post(h, "audiocodes", "activities-1-start.json", subpath: "/activities", contentType: json)
            #expect(start.status == 200)
            #expect(start.body.contains(#""type":"message","text":"Hello, this is the Gangway demo bot. Say something.""#))
            // The echo bot's listen (timeoutSeconds 5) becomes a config event.
            #expect(start.body.contains(#""name":"config","sessionParams":{"userNoInputTimeoutMS":5000"#))
            let turn = try await post(h, "audiocodes", "activities-2-speech.json", subpath: "/activities", contentType: json)
            #expect(turn.body.contains(#""text":"You said: Ich möchte einen Termin buchen.""#))
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["providerId"]?.string == "+49170111222")
            #expect(sent[path: "message", "confidence"]?.double == 0.9123)
            let bye = try await post(h, "audiocodes", "activities-4-speech.json", subpath: "/activities", contentType: json)
            #expect(bye.body.contains(#""name":"hangup""#))
            let end = try await post(h, "audiocodes", "disconnect.json", subpath: "/disconnect", contentType: json)
            #expect(end.body == "{}")
            #expect(try await eventually { h.mock.recorded.contains { $0.json?["event"]?.string == "call_ended" } })
        }
    }
}

/// AudioCodes names the caller only when a call starts: the gateway remembers it in its store, so
/// that a restart (or another replica) in the middle of a call still forwards the caller's number.
@Suite struct AdapterMemoryAcrossRestartTests {
    @Test func theCallerOfACallSurvivesARestartOfTheGateway() async throws {
        let path = NSTemporaryDirectory() + "gangway-memory-\(UUID().uuidString).sqlite"
        let yaml = DirectVoiceProvidersTests.yaml(provider: "audiocodes", secrets: "{ token: cc-tok-server-test }")
        let voice = DirectVoiceProvidersTests()
        let json = "application/json"
        let first = try SQLiteDeliveryStore(path: path)
        try await withGateway(yaml: yaml, store: first) { h in
            _ = try await voice.post(h, "audiocodes", "start.json", contentType: json)
            #expect(try await voice.post(h, "audiocodes", "activities-1-start.json", subpath: "/activities", contentType: json).status == 200)
        }
        // A new process: nothing in memory but the store.
        let second = try SQLiteDeliveryStore(path: path)
        try await withGateway(yaml: yaml, store: second) { h in
            let turn = try await voice.post(h, "audiocodes", "activities-2-speech.json", subpath: "/activities", contentType: json)
            #expect(turn.status == 200)
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["providerId"]?.string == "+49170111222", "the caller, not the conversation id, after the restart")
        }
    }
}
