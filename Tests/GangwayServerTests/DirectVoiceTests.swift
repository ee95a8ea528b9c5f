import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import NIOHTTP1
import Testing

/// Direct delivery for voice: the caller waits, the chatbot API's answer is the reply, and a
/// failure becomes the fallback plus a dead letter.
@Suite struct DirectVoiceTests {
    static func yaml(deadline: Double = 1.5) -> (String) -> String {
        { upstream in
            """
            server: { host: 127.0.0.1, port: 0, publicURL: "https://hooks.example.com" }
            admin: { token: test-admin-token }
            upstream: { baseURL: "\(upstream)", apiKey: k, retry: { maxAttempts: 3, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1 } }
            store: { path: STORE_PATH }
            channels:
              - id: voice
                name: Hotline
                provider: twilio-voice
                chatbotId: bot_v
                deadlineSeconds: \(deadline)
                fallback: { say: "Einen Moment bitte", then: transfer, to: "+4930999" }
                secrets: { authToken: voice-token }
            """
        }
    }

    func post(_ h: Harness, _ name: String, subpath: String = "") async throws -> Harness.Reply {
        let body = try sampleBytes("twilio-voice", name)
        let headers = try h.signedSample(
            channel: "voice", body: body, contentType: "application/x-www-form-urlencoded",
            url: h.configuration.server.webhookURL(channelID: "voice") + subpath)
        return try await h.send(.POST, "/webhooks/voice" + subpath, body: body, headers: headers)
    }

    @Test func theChatbotsAnswerIsTheTwiMLReply() async throws {
        try await withGateway(yaml: Self.yaml()) { h in
            let start = try await post(h, "start.form")
            #expect(start.status == 200)
            #expect(start.body.contains("<Say>Hello, this is the Gangway demo bot. Say something.</Say>"))
            #expect(start.body.contains(#"action="https://hooks.example.com/webhooks/voice/gather""#))
            let turn = try await post(h, "gather-1-speech.form", subpath: "/gather")
            #expect(turn.body.contains("<Say>You said: Ich möchte einen Termin buchen.</Say>"))
            let sent = try #require(h.mock.recorded.last?.json)
            #expect(sent["async"] == .bool(false))
            #expect(sent["callee"]?.string == "+4930123456")
            #expect(sent[path: "message", "type"]?.string == "speech")
            // The call's end needs no answer: queued and delivered by the dispatcher.
            let end = try await post(h, "status-completed.form", subpath: "/status")
            #expect(end.body.hasSuffix("<Response/>"))
            #expect(try await eventually { h.mock.recorded.contains { $0.json?["event"]?.string == "call_ended" } })
        }
    }

    @Test func aSlowAPIGivesTheFallbackWithinTheDeadlineAndADeadLetter() async throws {
        try await withGateway(yaml: Self.yaml(deadline: 1)) { h in
            h.mock.update { $0.delaySeconds = 5 }
            let started = Date()
            let reply = try await post(h, "start.form")
            let took = Date().timeIntervalSince(started)
            #expect(reply.status == 200)
            // Answered near the 1 s deadline (with room for a loaded CI machine), not after the API's 5 s.
            #expect(took < 2.5, "answered after \(took) s")
            #expect(reply.body.contains("<Say>Einen Moment bitte</Say><Dial>+4930999</Dial>"))
            #expect(try await eventually { try await h.gateway.store.statistics().dead == 1 })
            let dead = try #require(try await h.gateway.store.list(state: .dead, channel: "voice", limit: 5).first)
            #expect(dead.lastError?.contains("deadline") == true)
            #expect(dead.key == "voice:CA5f1e2d3c4b5a69788796a5b4c3d2e1f0:start")
        }
    }

    @Test func failingOrGarbageAnswersGiveTheFallback() async throws {
        try await withGateway(yaml: Self.yaml()) { h in
            h.mock.update {
                $0.failFirst = 100
                $0.failStatus = 500
            }
            #expect(try await post(h, "start.form").body.contains("Einen Moment bitte"))
            h.mock.update {
                $0.failFirst = 0
                $0.garbage = true
            }
            #expect(try await post(h, "gather-1-speech.form", subpath: "/gather").body.contains("Einen Moment bitte"))
            #expect(try await eventually { try await h.gateway.store.statistics().dead == 2 })
            let dead = try await h.gateway.store.list(state: .dead, channel: "voice", limit: 5)
            #expect(dead.contains { $0.lastError?.contains("not JSON") == true })
            #expect(dead.contains { $0.lastStatus == 500 })
        }
    }

    @Test func oneSlowCallDoesNotDelayAnother() async throws {
        try await withGateway(yaml: Self.yaml(deadline: 6)) { h in
            h.mock.update { $0.delayByProviderId = ["+49170111222": 3] }
            let other = Array("CallSid=CAother&From=%2B49555&To=%2B4930123456&CallStatus=ringing".utf8)
            let headers = try h.signedSample(channel: "voice", body: other, contentType: "application/x-www-form-urlencoded")
            let started = Date()
            async let slow: Harness.Reply = post(h, "start.form")
            try await Task.sleep(for: .milliseconds(100))
            let fast = try await h.send(.POST, "/webhooks/voice", body: other, headers: headers)
            let fastTook = Date().timeIntervalSince(started)
            #expect(fast.body.contains("demo bot"))
            let slowReply = try await slow
            let slowTook = Date().timeIntervalSince(started)
            #expect(slowReply.body.contains("demo bot"))
            // The fast call was answered while the slow one (3 s at the API) was still waiting.
            #expect(fastTook < 2.5, "fast call took \(fastTook) s")
            #expect(slowTook >= 3)
        }
    }
}
