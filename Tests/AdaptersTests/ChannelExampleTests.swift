import Adapters
import Foundation
import GangwayCore
import Testing

/// Every shipped example (config/channels/*.yaml and config/production.example.yaml) loads with
/// its variables set, and fails naming each variable when they are not.
@Suite struct ChannelExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var examples: [String] {
        let dir = root.appendingPathComponent("config/channels").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func variables(in text: String) -> [String: String] {
        var env: [String: String] = [:]
        var rest = Substring(text)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            let name = String(rest[start.upperBound..<end])
            env[name] = "example-value-for-\(name)"
            rest = rest[rest.index(after: end)...]
        }
        return env
    }

    @Test func thereIsAnExampleForEveryProvider() {
        let names = Set(Self.examples.map { String($0.dropLast(5)) })
        for provider in AdapterRegistry.standard.names {
            #expect(names.contains(provider), "config/channels/\(provider).yaml is missing")
        }
    }

    @Test(arguments: examples)
    func exampleLoads(_ file: String) throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("config/channels/\(file)"), encoding: .utf8)
        let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        let yaml = "upstream: { baseURL: \"https://api.example.com\", apiKey: k }\nchannels:\n" + indented
        let config = try ConfigLoader(providers: AdapterRegistry.standard, environment: Self.variables(in: text)).parse(yaml: yaml)
        #expect(config.channels.count == 1)
        #expect(config.channels.first?.provider == String(file.dropLast(5)))
        if !Self.variables(in: text).isEmpty {
            #expect(throws: ConfigErrors.self) { try ConfigLoader(providers: AdapterRegistry.standard, environment: [:]).parse(yaml: yaml) }
        }
    }

    @Test func productionExampleLoads() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("config/production.example.yaml"), encoding: .utf8)
        let config = try ConfigLoader(providers: AdapterRegistry.standard, environment: Self.variables(in: text)).parse(yaml: text)
        #expect(config.server.publicURL == "https://hooks.example.com")
        #expect(config.admin.token?.value == "example-value-for-GANGWAY_ADMIN_TOKEN")
    }
}

@Suite struct ReplyTokenTests {
    @Test func lineAndDiscordCarryTheirReplyTokens() throws {
        let line = channel("line", secrets: ["channelSecret": "s"])
        let body = Array(
            #"{"destination":"U1","events":[{"type":"message","mode":"active","timestamp":1764064800000,"webhookEventId":"01E1","deliveryContext":{"isRedelivery":false},"replyToken":"rt-123","source":{"type":"user","userId":"U9"},"message":{"id":"1","type":"text","text":"hi"}}]}"#
                .utf8)
        let calls = try adapter(for: line).normalize(try signed(line, body: body, contentType: "application/json"))
        #expect(calls.first?.provider.replyToken == "rt-123")
        let envelope = UpstreamEnvelope(call: try #require(calls.first), channel: line)
        #expect(String(decoding: envelope.jsonData(), as: UTF8.self).contains(#""replyToken":"rt-123""#))
    }
}
