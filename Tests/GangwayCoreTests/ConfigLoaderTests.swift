import Foundation
import GangwayCore
import Testing

private struct NoopAdapter: ChannelAdapter {
    func verify(_ request: InboundRequest) throws(AdapterError) {}
    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall] { [] }
}

private let registry = ProviderRegistry([
    ProviderDescriptor(
        name: "meta", requiredSecrets: ["appSecret", "verifyToken"], makeAdapter: { _ in NoopAdapter() }, signSample: { _, _ in }),
    ProviderDescriptor(
        name: "slackish", requiredSecrets: ["signingSecret"], settings: ["toleranceSeconds"], makeAdapter: { _ in NoopAdapter() },
        signSample: { _, _ in }),
    ProviderDescriptor(
        name: "voice", requiredSecrets: ["authToken"], isVoice: true, makeAdapter: { _ in NoopAdapter() }, signSample: { _, _ in }),
])

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(providers: registry, environment: ["WA_SECRET": "s3cr3t-value", "API_KEY": "CCSB-key"])

    @Test func loadsTheDesignExampleWithDefaults() throws {
        let config = try loader.parse(
            yaml: """
                server:
                  publicURL: https://hooks.example.com/
                  trustedProxies: [127.0.0.1/32, "::1/128"]
                admin:
                  token: admin-token-123
                upstream:
                  baseURL: https://chatbot-api.example.com
                  apiKey: ${API_KEY}
                  retry: { maxAttempts: 3, initialBackoffSeconds: 0.2 }
                channels:
                  - id: channel_def456
                    name: WhatsApp Business
                    provider: meta
                    chatbotId: bot_abc123xyz
                    async: true
                    verification: report
                    secrets: { appSecret: "${WA_SECRET}", verifyToken: vt }
                  - id: channel_voice
                    name: Hotline
                    provider: voice
                    chatbotId: bot_abc123xyz
                    fallback: { say: "Einen Moment", then: transfer, to: "+4930123456" }
                    secrets: { authToken: t }
                """)
        #expect(config.server.publicURL == "https://hooks.example.com")
        #expect(config.server.port == 8080)
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.server.trustedProxies.count == 2)
        #expect(config.upstream.apiKey?.value == "CCSB-key")
        #expect(config.upstream.retry.maxAttempts == 3)
        #expect(config.upstream.retry.initialBackoffSeconds == 0.2)
        #expect(config.upstream.retry.maxBackoffSeconds == 600)
        #expect(config.store.driver == .sqlite)
        #expect(config.store.dedupWindowHours == 168)
        let wa = try #require(config.channel(id: "channel_def456"))
        #expect(wa.secret("appSecret") == "s3cr3t-value")
        #expect(wa.async == true)
        #expect(wa.delivery == .queued)
        #expect(wa.verification == .report)
        let voice = try #require(config.channel(id: "channel_voice"))
        #expect(voice.delivery == .direct)
        #expect(voice.fallback == .init(say: "Einen Moment", then: "transfer", to: "+4930123456"))
        #expect(config.server.webhookURL(channelID: "channel_def456") == "https://hooks.example.com/webhooks/channel_def456")
    }

    @Test func reportsEveryFaultAtOnceWithItsPlace() throws {
        let yaml = """
            server:
              port: eighty
              listen: 1
            upstream:
              baseURL: ftp://nope
              retry: { maxAttempts: 0 }
            channels:
              - id: a
                name: A
                provider: meta
                chatbotId: bot
                apiKey: k
                secrets: { appSecret: "${MISSING_VAR}" }
              - id: a
                name: Dup
                provider: telepathy
                chatbotId: bot
                apiKey: k
              - id: "bad id"
                name: B
                provider: slackish
                chatbotId: bot
                secrets: { signingSecret: x, extra: y }
                settings: { tolerance: 5 }
                delivery: direct
                async: maybe
            """
        let errors: [String]
        do {
            _ = try loader.parse(yaml: yaml)
            Issue.record("expected errors")
            return
        } catch {
            errors = error.errors.map(\.description)
        }
        let expectedPlaces = [
            "server.port: expected a whole number",
            "server.listen: unknown key",
            "upstream.baseURL: expected an http(s) URL",
            "upstream.retry.maxAttempts: must be between",
            "channels[0].secrets.appSecret: environment variable MISSING_VAR is not set",
            "channels[0].secrets.verifyToken: missing",
            "channels[1].provider: unknown provider \"telepathy\"",
            "channels[2].id: use only letters",
            "channels[2].apiKey: no chatbot API key",
            "channels[2].secrets.extra: unknown secret",
            "channels[2].settings.tolerance: unknown setting",
            "channels[2].delivery: direct delivery is for voice providers only",
            "channels[2].async: expected true or false",
        ]
        for place in expectedPlaces {
            #expect(errors.contains(where: { $0.hasPrefix(place) }), "missing error: \(place)\nall:\n\(errors.joined(separator: "\n"))")
        }
        // The duplicate check runs on channels that are otherwise valid.
        #expect(!errors.contains(where: { $0.contains("s3cr3t") }))
    }

    @Test func duplicateChannelIDIsAnError() throws {
        let yaml = """
            upstream: { baseURL: "http://127.0.0.1:1", apiKey: k }
            channels:
              - { id: x, name: X, provider: meta, chatbotId: b, secrets: { appSecret: a, verifyToken: v } }
              - { id: x, name: Y, provider: meta, chatbotId: b, secrets: { appSecret: a, verifyToken: v } }
            """
        #expect {
            try loader.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigErrors)?.errors.contains(where: { $0.place == "channels[1].id" && $0.message.contains("duplicate") }) == true
        }
    }

    @Test func missingUpstreamAndNonMappingDocument() {
        #expect(throws: ConfigErrors.self) { try loader.parse(yaml: "channels: []") }
        #expect(throws: ConfigErrors.self) { try loader.parse(yaml: "- just a list") }
        #expect(throws: ConfigErrors.self) { try loader.parse(yaml: "server: [unclosed") }
    }

    @Test func errorsNeverContainSecretValues() throws {
        let yaml = """
            upstream: { baseURL: "http://127.0.0.1:1", apiKey: topsecretkey }
            channels:
              - { id: x, name: X, provider: meta, chatbotId: b, secrets: { appSecret: topsecretapp, verifyToken: topsecretverify, wrong: topsecretwrong } }
            """
        do {
            _ = try loader.parse(yaml: yaml)
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
        #expect(Secret("hidden").description == "<redacted>")
        #expect("\(Secret("hidden"))" == "<redacted>")
    }
}

@Suite struct ConfigVariableTests {
    @Test func variablesWorkInsideFlowMappingsAsTheDocsWriteThem() throws {
        let loader = ConfigLoader(providers: registry, environment: ["A": "x}y", "B": "two words"])
        let config = try loader.parse(
            yaml: """
                upstream: { baseURL: "http://127.0.0.1:1", apiKey: ${B} }
                channels:
                  - { id: c, name: "n ${B}", provider: meta, chatbotId: b, secrets: { appSecret: ${A}, verifyToken: pre-${B}-post } }
                """)
        #expect(config.upstream.apiKey?.value == "two words")
        #expect(config.channels[0].secret("appSecret") == "x}y")
        #expect(config.channels[0].secret("verifyToken") == "pre-two words-post")
        #expect(config.channels[0].name == "n two words")
    }

    @Test func anUnclosedOrInvalidVariableIsAnError() {
        let loader = ConfigLoader(providers: registry, environment: [:])
        #expect(throws: ConfigErrors.self) { try loader.parse(yaml: "upstream: { baseURL: \"http://h\", apiKey: \"${OPEN\" }") }
        #expect(throws: ConfigErrors.self) { try loader.parse(yaml: "upstream: { baseURL: \"http://h\", apiKey: \"${BAD-NAME}\" }") }
    }
}
