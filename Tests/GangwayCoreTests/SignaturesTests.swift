import Foundation
import GangwayCore
import Testing

@Suite struct SignaturesTests {
    @Test func hmacSHA256MatchesPublishedVector() {
        // HMAC-SHA256(key "secret", "test"), the vector quoted in reference/providers.md (Meta section).
        #expect(
            Signatures.hex(Signatures.hmac(.sha256, key: "secret", message: Array("test".utf8)))
                == "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914")
    }

    @Test func slackVectorFromItsDocs() {
        // Slack's documented example: v0:timestamp:body with the documented signing secret.
        let body =
            "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
        let mac = Signatures.hmac(.sha256, key: "8f742231b10e8888abcd99yyyzzz85a5", message: Array("v0:1531420618:\(body)".utf8))
        #expect("v0=" + Signatures.hex(mac) == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
    }

    @Test func constantTimeEquality() {
        #expect(Signatures.constantTimeEquals("abc", "abc"))
        #expect(!Signatures.constantTimeEquals("abc", "abd"))
        #expect(!Signatures.constantTimeEquals("abc", "abcd"))
        #expect(!Signatures.constantTimeEquals("", "a"))
    }

    @Test func hexAndBase64RoundTrip() {
        let bytes: [UInt8] = [0, 1, 0xAB, 0xFF]
        #expect(Signatures.fromHex(Signatures.hex(bytes)) == bytes)
        #expect(Signatures.fromHex("ABff") == [0xAB, 0xFF])
        #expect(Signatures.fromHex("abc") == nil)
        #expect(Signatures.fromHex("zz") == nil)
        #expect(Signatures.fromBase64(Signatures.base64(bytes)) == bytes)
        #expect(Signatures.fromBase64("AAGr_w") == bytes)
    }

    @Test func timestampWindow() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        try Signatures.checkTimestamp("1000100", header: "x-ts", now: now, tolerance: 300)
        #expect(throws: AdapterError.self) { try Signatures.checkTimestamp("999000", header: "x-ts", now: now, tolerance: 300) }
        #expect(throws: AdapterError.self) { try Signatures.checkTimestamp("soon", header: "x-ts", now: now, tolerance: 300) }
        #expect(throws: AdapterError.self) { try Signatures.checkTimestamp(nil, header: "x-ts", now: now, tolerance: 300) }
    }

    @Test func cidrMatching() throws {
        let v4 = try #require(CIDR("10.1.0.0/16"))
        #expect(v4.contains("10.1.200.3"))
        #expect(!v4.contains("10.2.0.1"))
        #expect(v4.contains("::ffff:10.1.2.3"))
        let v6 = try #require(CIDR("::1/128"))
        #expect(v6.contains("::1"))
        #expect(!v6.contains("::2"))
        #expect(try #require(CIDR("127.0.0.1")).contains("127.0.0.1"))
        #expect(CIDR("10.0.0.0/33") == nil)
        #expect(CIDR("nonsense") == nil)
    }
}

@Suite struct VoiceActionTests {
    @Test func parsesEveryActionOfTheContract() {
        let body =
            #"{"actions":[{"say":"Hallo","language":"de-DE"},{"play":"https://e.x/a.mp3"},{"listen":{"timeoutSeconds":5,"language":"de-DE","hints":["Termin"]}},{"transfer":"+4930123456"},{"hangup":true},{"dance":1}]}"#
        #expect(
            VoiceAction.parse(Array(body.utf8)) == [
                .say(text: "Hallo", language: "de-DE"), .play(url: "https://e.x/a.mp3"),
                .listen(timeoutSeconds: 5, language: "de-DE", hints: ["Termin"]), .transfer(to: "+4930123456"), .hangup,
            ])
    }

    @Test func noActionsMeansListenAgainAndGarbageMeansFallback() {
        #expect(VoiceAction.parse(Array("{}".utf8)) == VoiceAction.listenAgain)
        #expect(VoiceAction.parse(Array(#"{"actions":[]}"#.utf8)) == VoiceAction.listenAgain)
        #expect(VoiceAction.parse([]) == VoiceAction.listenAgain)
        #expect(VoiceAction.parse(Array("<html>".utf8)) == nil)
    }

    @Test func fallbackSaysThenHangsUpOrTransfers() {
        #expect(VoiceAction.fallback(nil) == [.say(text: "Sorry, please call again later.", language: nil), .hangup])
        #expect(VoiceAction.fallback(.init(say: "Moment", then: "transfer", to: "+49")) == [.say(text: "Moment", language: nil), .transfer(to: "+49")])
    }
}
