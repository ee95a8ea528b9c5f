import Foundation
import GangwayCore
import Testing

@Suite struct DiscordAdapterTests {
    let ch = channel("discord", secrets: ["publicKey": DiscordSDKVectors.publicKey])
    let now = Date(timeIntervalSince1970: 1_764_064_800)

    func request(_ body: [UInt8], timestamp: String = "1764064800", signature: String? = nil) -> InboundRequest {
        let sig = signature ?? Signatures.hex(Signatures.signEd25519(seed: Array(0...31), message: Array(timestamp.utf8) + body) ?? [])
        return InboundRequest(
            method: "POST", url: "https://hooks.example.com/webhooks/ch_discord",
            headers: ["content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": timestamp], body: body,
            receivedAt: now)
    }

    func calls(_ name: String) throws -> [InboundCall] {
        let req = request(try sample("discord", name))
        let a = try adapter(for: ch)
        try a.verify(req)
        return try a.normalize(req)
    }

    /// providers.md's vector (computed with PyNaCl / discord-interactions).
    @Test func publishedVectorVerifies() throws {
        let req = InboundRequest(
            method: "POST", url: "https://h/webhooks/x",
            headers: [
                "x-signature-timestamp": "1700000000",
                "x-signature-ed25519":
                    "c1098e97d711377f30225d53d94b89d43537f92e5b3afaddc590781b1f9f9d4b2eeab335d370be3b9a090bc61a85b86448bc140dcd195f1569c2bff181257607",
            ], body: Array(#"{"type":1}"#.utf8), receivedAt: Date(timeIntervalSince1970: 1_700_000_010))
        #expect(try adapter(for: ch).handshake(req) == .json(#"{"type":1}"#))
    }

    @Test(arguments: DiscordSDKVectors.all)
    func sdkSignaturesVerify(_ v: DiscordSDKVectors.Vector) throws {
        try adapter(for: ch).verify(request(try sample("discord", v.sample), timestamp: v.timestamp, signature: v.signature))
    }

    @Test func pingIsAnsweredWithPongOnlyWhenSigned() throws {
        let a = try adapter(for: ch)
        let ping = request(try sample("discord", "ping.json"))
        #expect(try a.handshake(ping) == .json(#"{"type":1}"#))
        // Discord probes with invalid signatures: they must get 401, never a PONG.
        expectUnauthorized { _ = try a.handshake(ping.replacingHeader("x-signature-ed25519", with: String(repeating: "0", count: 128))) }
        expectUnauthorized { _ = try a.handshake(ping.replacingHeader("x-signature-ed25519", with: nil)) }
        #expect(try a.handshake(request(try sample("discord", "text.json"))) == nil)
    }

    @Test func webhookEventsPingIs204() throws {
        let a = try adapter(for: ch)
        #expect(try a.handshake(request(try sample("discord", "webhook-event-ping.json"))) == AdapterResponse(status: 204))
        let event = request(try sample("discord", "webhook-event.json"))
        #expect(try a.handshake(event) == nil)
        #expect(try a.normalize(event).isEmpty)
        #expect(a.acknowledgement(for: event) == AdapterResponse(status: 204))
    }

    @Test func wrongMissingStaleAndTamperedSignaturesAreRefused() throws {
        let a = try adapter(for: ch)
        let body = try sample("discord", "text.json")
        let good = request(body)
        try a.verify(good)
        expectUnauthorized { try a.verify(good.replacingHeader("x-signature-ed25519", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("x-signature-timestamp", with: nil)) }
        expectUnauthorized { try a.verify(good.replacingHeader("x-signature-ed25519", with: "zz")) }
        expectUnauthorized { try a.verify(good.replacingHeader("x-signature-timestamp", with: "1764064801")) }
        var tampered = good
        tampered.body[40] ^= 0x01
        expectUnauthorized { try a.verify(tampered) }
        expectUnauthorized { try a.verify(request(body, timestamp: "1764064400")) }
        let other = channel("discord", secrets: ["publicKey": String(repeating: "ab", count: 32)])
        expectUnauthorized { try adapter(for: other).verify(good) }
        let malformed = channel("discord", secrets: ["publicKey": "not hex"])
        expectUnauthorized { try adapter(for: malformed).verify(good) }
    }

    @Test func slashCommandIsAPostbackAndDeferred() throws {
        let a = try adapter(for: ch)
        let req = request(try sample("discord", "text.json"))
        let c = try #require(try a.normalize(req).first)
        #expect(c.kind == .handle)
        #expect(c.key == "1442817087897600001")
        #expect(c.providerId == "80351110224678912")
        #expect(
            c.message
                == InboundMessage(id: "1442817087897600001", type: .postback, text: "Habt ihr heute offen?", timestamp: "2025-11-25T10:00:00Z", payload: "ask"))
        #expect(c.contact == InboundContact(name: "Max Example", username: "maxexample", locale: "de"))
        #expect(
            c.provider
                == ProviderInfo(
                    name: "discord", recipientId: "290926798999357250", event: "APPLICATION_COMMAND",
                    replyToken: "aW50ZXJhY3Rpb246MTE4MTIzNDU2Nzg5MDEyMzQ1NjpleGFtcGxlLXRva2Vu"))
        #expect(a.acknowledgement(for: req) == .json(#"{"type":5}"#))
    }

    @Test func subcommandOptionsAreFlattened() throws {
        let c = try #require(try calls("subcommand.json").first)
        #expect(c.message?.payload == "booking")
        #expect(c.message?.text == "create tomorrow 4")
    }

    @Test func buttonInADirectMessageUsesTheUser() throws {
        let c = try #require(try calls("button.json").first)
        #expect(c.providerId == "80351110224678912")
        #expect(c.message?.payload == "BOOK_YES")
        #expect(c.message?.text == nil)
        #expect(c.message?.replyTo == "1181234567000000777")
        #expect(c.message?.timestamp == "2025-11-25T10:01:00Z")
        #expect(c.provider.event == "MESSAGE_COMPONENT")
    }

    @Test func selectAndModalCarryTheirValues() throws {
        #expect(try calls("select.json").first?.message?.text == "slot_10 slot_11")
        let modal = try #require(try calls("modal.json").first)
        #expect(modal.message?.payload == "feedback_modal")
        #expect(modal.message?.text == "Max\nAlles super, danke!")
    }

    @Test func autocompleteIsAnsweredWithNoChoicesAndNotForwarded() throws {
        let a = try adapter(for: ch)
        let req = request(try sample("discord", "autocomplete.json"))
        #expect(try a.normalize(req).isEmpty)
        #expect(a.acknowledgement(for: req) == .json(#"{"type":8,"data":{"choices":[]}}"#))
    }

    @Test func simulateSignsWithTheDocumentedDemoKey() throws {
        let req = try signed(ch, body: try sample("discord", "text.json"), contentType: "application/json")
        try adapter(for: ch).verify(req)
    }

    @Test func garbageIsABadRequest() throws {
        let a = try adapter(for: ch)
        for text in ["", "{", "[]", "{\"id\":\"1\"}"] {
            #expect(throws: AdapterError.self) { try a.normalize(request(Array(text.utf8))) }
        }
    }
}
