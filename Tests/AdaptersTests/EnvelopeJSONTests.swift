import Adapters
import Foundation
import GangwayCore
import Testing

/// The envelope's hand-written JSON is byte for byte what JSONEncoder (sorted keys, slashes
/// unescaped) wrote before it: over every sample of every provider, and over edge cases.
@Suite struct EnvelopeJSONTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every channel of config/demo-all.yaml with every one of its provider's samples, signed.
    static func allCalls() throws -> [(String, InboundCall, ChannelConfiguration)] {
        let config = try ConfigLoader(providers: AdapterRegistry.standard).load(path: root.appendingPathComponent("config/demo-all.yaml").path)
        var out: [(String, InboundCall, ChannelConfiguration)] = []
        for ch in config.channels {
            let descriptor = try #require(AdapterRegistry.standard[ch.provider])
            let adapter = descriptor.makeAdapter(ch)
            let folder = root.appendingPathComponent("adapters/\(ch.provider)/samples").path
            for sample in try SampleFiles.load(folder: folder, voice: descriptor.isVoice) {
                let signed = sample.signed(descriptor, ch, webhookURL: config.server.webhookURL(channelID: ch.id))
                guard let calls = try? adapter.normalize(sample.inbound(signed)) else { continue }
                for call in calls { out.append(("\(ch.provider)/\(sample.file)", call, ch)) }
            }
        }
        return out
    }

    @Test func everySampleEncodesExactlyAsJSONEncoder() throws {
        let calls = try Self.allCalls()
        #expect(calls.count > 100, "expected the samples of every provider, got \(calls.count) calls")
        for (name, call, channel) in calls {
            for async in [nil, false] as [Bool?] {
                let envelope = UpstreamEnvelope(call: call, channel: channel, async: async)
                let fast = String(decoding: envelope.jsonBytes(), as: UTF8.self)
                let reference = String(decoding: envelope.encodedByFoundation(), as: UTF8.self)
                #expect(fast == reference, "\(name)")
            }
        }
    }

    @Test func edgeCasesEncodeExactlyAsJSONEncoder() throws {
        let tricky = "quote \" backslash \\ slash / nl \n cr \r tab \t bs \u{8} ff \u{C} nul \u{0} us \u{1F} del \u{7F} é 日本 🙂 \u{2028}"
        var channel = ChannelConfiguration(id: "ch/1", name: tricky, provider: "webhook", chatbotId: "bot\"x")
        channel.async = false
        let everything = InboundCall(
            kind: .handle, key: "k", providerId: tricky, callee: "+1 555",
            message: InboundMessage(
                id: "m", type: .location, text: tricky, timestamp: "2026-11-26T10:00:00Z",
                media: [
                    InboundMessage.Media(id: "1", url: "https://x/y?z=1&a=b", mimeType: "image/png", caption: tricky, filename: "a b.png"),
                    InboundMessage.Media(),
                ],
                location: .init(latitude: 52.520008, longitude: -0.1, name: "n", address: "a"),
                contacts: [.init(name: "c", phones: ["+1", "+2"]), .init(), .init(name: nil, phones: [])],
                payload: "{\"a\":1}", replyTo: "r", confidence: 0.87),
            contact: InboundContact(name: tricky, username: "u", locale: "de_DE", phone: "+49"),
            provider: ProviderInfo(name: "webhook", recipientId: "r", event: "e", callId: "c", replyToken: "t"))
        let event = InboundCall(kind: .event, key: "k2", providerId: "p", event: "user_seen_message", provider: ProviderInfo(name: "x"))
        var integral = everything
        integral.message?.confidence = 1.0
        integral.message?.location = .init(latitude: 0, longitude: 1e-7)
        var large = everything
        large.message?.location = .init(latitude: 1e21, longitude: -123456789.125)
        for call in [everything, event, integral, large] {
            let envelope = UpstreamEnvelope(call: call, channel: channel)
            #expect(String(decoding: envelope.jsonBytes(), as: UTF8.self) == String(decoding: envelope.encodedByFoundation(), as: UTF8.self))
            #expect(try UpstreamEnvelope.decode(Data(envelope.jsonBytes())) == envelope)
        }
    }

    @Test func timestampsMatchFoundation() {
        let values: [Double] = [
            0, 1, 59.999, 86_399, 86_400, 951_782_400, 1_764_151_200, 1_764_151_200.75, 4_102_444_799, -1, -86_401, -2_208_988_800, 253_402_300_799,
        ]
        for v in values {
            #expect(Timestamps.iso8601(unixSeconds: v) == Date(timeIntervalSince1970: v).formatted(.iso8601), "\(v)")
        }
        // Every day across leap years and century rules.
        var t = -2_208_988_800.0  // 1900-01-01
        while t < 4_102_444_800 {  // 2100-01-01
            #expect(Timestamps.iso8601(unixSeconds: t + 3_723) == Date(timeIntervalSince1970: t + 3_723).formatted(.iso8601))
            t += 86_400 * 7 + 1
        }
        #expect(Timestamps.iso8601(unixSeconds: "1764151200") == "2025-11-26T10:00:00Z")
    }
}
