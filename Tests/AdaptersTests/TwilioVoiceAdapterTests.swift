import Adapters
import Foundation
import GangwayCore
import Testing

@Suite struct TwilioVoiceAdapterTests {
    let ch = channel("twilio-voice", secrets: ["authToken": "voice-token"])
    let base = "https://hooks.example.com/webhooks/ch_twilio-voice"

    func request(_ name: String, subpath: String = "") throws -> InboundRequest {
        var r = try signed(ch, body: try sample("twilio-voice", name), contentType: "application/x-www-form-urlencoded", url: base + subpath)
        r.subpath = subpath
        return r
    }

    func voice() throws -> any VoiceChannelAdapter { try #require(try adapter(for: ch) as? any VoiceChannelAdapter) }

    @Test func signatureCoversTheSubpath() throws {
        let good = try request("gather-1-speech.form", subpath: "/gather")
        try voice().verify(good)
        var moved = good
        moved.url = base
        expectUnauthorized { try voice().verify(moved) }
        expectUnauthorized { try voice().verify(good.replacingHeader("X-Twilio-Signature", with: nil)) }
    }

    @Test func aCallsLifeMapsToStartTurnsAndEnd() throws {
        let start = try #require(try voice().normalize(try request("start.form")).first)
        #expect(start.event == "call_started")
        #expect(start.providerId == "+49170111222")
        #expect(start.callee == "+4930123456")
        #expect(start.key == "CA5f1e2d3c4b5a69788796a5b4c3d2e1f0:start")
        #expect(start.provider.callId == "CA5f1e2d3c4b5a69788796a5b4c3d2e1f0")
        #expect(start.needsVoiceReply)

        let speech = try #require(try voice().normalize(try request("gather-1-speech.form", subpath: "/gather")).first)
        #expect(speech.kind == .handle)
        #expect(speech.message?.type == .speech)
        #expect(speech.message?.text == "Ich möchte einen Termin buchen.")
        #expect(speech.message?.confidence == 0.9314)
        #expect(speech.key.hasPrefix("CA5f1e2d3c4b5a69788796a5b4c3d2e1f0:turn:"))

        let dtmf = try #require(try voice().normalize(try request("gather-2-dtmf.form", subpath: "/gather")).first)
        #expect(dtmf.message?.type == .dtmf)
        #expect(dtmf.message?.text == "42")
        #expect(dtmf.key != speech.key)

        let end = try #require(try voice().normalize(try request("status-completed.form", subpath: "/status")).first)
        #expect(end.event == "call_ended")
        #expect(end.key == "CA5f1e2d3c4b5a69788796a5b4c3d2e1f0:end")
        #expect(!end.needsVoiceReply)
    }

    @Test func progressStatusCallbacksAreIgnored() throws {
        let body = Array("CallSid=CA5&From=%2B49111&To=%2B49222&CallStatus=in-progress&CallbackSource=call-progress-events&StatusCallbackEvent=answered".utf8)
        var r = try signed(ch, body: body, contentType: "application/x-www-form-urlencoded", url: base + "/status")
        r.subpath = "/status"
        #expect(try voice().normalize(r).isEmpty)
    }

    @Test func rendersTwiML() throws {
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
                <Gather input="speech dtmf" action="https://hooks.example.com/webhooks/ch_twilio-voice/gather" method="POST" actionOnEmptyResult="true" \
                timeout="4" speechTimeout="auto" language="de-DE" hints="Termin,Absage"/><Dial>+4930</Dial><Hangup/></Response>
                """)
    }

    @Test func getWebhooksCarryTheirParametersInTheQuery() throws {
        let url = base + "?CallSid=CA1&From=%2B49111&To=%2B49222&CallStatus=ringing"
        var r = SampleRequest(method: "GET", url: url, contentType: "application/x-www-form-urlencoded", body: [])
        AdapterRegistryAccess.sign(&r, ch)
        let calls = try voice().normalize(r.inbound)
        #expect(calls.first?.event == "call_started")
        #expect(calls.first?.providerId == "+49111")
        try voice().verify(r.inbound)
    }
}

enum AdapterRegistryAccess {
    static func sign(_ r: inout SampleRequest, _ ch: ChannelConfiguration) {
        AdapterRegistry.standard[ch.provider]?.signSample(&r, ch)
    }
}
