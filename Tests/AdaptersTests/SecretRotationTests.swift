import Adapters
import Foundation
import GangwayCore
import Testing

/// Every secret may be a list while it is rotated (`appSecret: [old, new]`): a request that
/// verifies with any value passes; `simulate` signs with the first (DESIGN.md, section 1).
@Suite struct SecretRotationTests {
    func load(_ secrets: String, provider: String = "whatsapp") throws -> ChannelConfiguration {
        let yaml = """
            upstream: { baseURL: "http://127.0.0.1:9", apiKey: k }
            channels:
              - { id: ch, name: C, provider: \(provider), chatbotId: b, secrets: \(secrets) }
            """
        return try #require(try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: yaml).channels.first)
    }

    func rotated(_ ch: ChannelConfiguration) throws -> any ChannelAdapter {
        try #require(AdapterRegistry.standard[ch.provider]).adapter(for: ch)
    }

    @Test func aRequestSignedWithAnyValueOfARotatedSecretPasses() throws {
        let ch = try load("{ appSecret: [old-secret, new-secret], verifyToken: [v-old, v-new] }")
        #expect(ch.secret("appSecret") == "old-secret")
        #expect(ch.secretValues["appSecret"]?.map(\.value) == ["old-secret", "new-secret"])
        let a = try rotated(ch)
        let body = try sample("whatsapp", "text.json")
        for secret in ["old-secret", "new-secret"] {
            let request = try signed(channel("whatsapp", secrets: ["appSecret": secret, "verifyToken": "v"]), body: body, contentType: "application/json")
            try a.verify(request)
            #expect(try a.normalize(request).count == 1)
        }
        let forged = try signed(channel("whatsapp", secrets: ["appSecret": "third", "verifyToken": "v"]), body: body, contentType: "application/json")
        expectUnauthorized { try a.verify(forged) }
        // Both verify tokens answer Meta's handshake; another does not.
        for token in ["v-old", "v-new"] {
            let hs = InboundRequest(method: "GET", url: "https://h/webhooks/ch?hub.mode=subscribe&hub.challenge=42&hub.verify_token=\(token)")
            #expect(try a.handshake(hs) == .ok("42"))
        }
        let wrong = InboundRequest(method: "GET", url: "https://h/webhooks/ch?hub.mode=subscribe&hub.challenge=42&hub.verify_token=v-x")
        #expect(throws: AdapterError.self) { try a.handshake(wrong) }
    }

    @Test func simulateSignsWithTheFirstValue() throws {
        let ch = try load("{ signingSecret: [first-secret, second-secret] }", provider: "slack")
        let body = try sample("slack", "text.json")
        let request = try signed(ch, body: body, contentType: "application/json")
        // Only the first value's adapter accepts it: it was signed with the first.
        try adapter(for: channel("slack", secrets: ["signingSecret": "first-secret"])).verify(request)
        expectUnauthorized { try adapter(for: channel("slack", secrets: ["signingSecret": "second-secret"])).verify(request) }
    }

    @Test func aSingleValueStaysThePlainAdapterAndAnEmptyListIsAnError() throws {
        let ch = try load("{ appSecret: only, verifyToken: v }")
        #expect(ch.secretRotations.count == 1)
        let yaml = """
            upstream: { baseURL: "http://127.0.0.1:9", apiKey: k }
            channels:
              - { id: ch, name: C, provider: whatsapp, chatbotId: b, secrets: { appSecret: [], verifyToken: v } }
            """
        do {
            _ = try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: yaml)
            Issue.record("an empty secret list was accepted")
        } catch {
            #expect(error.description.contains("channels[0].secrets.appSecret"))
        }
    }
}
