import Adapters
import Foundation
import GangwayCore
import Testing

/// Reads `adapters/<provider>/samples/<name>` from the source tree.
func sample(_ provider: String, _ name: String) throws -> [UInt8] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = root.appendingPathComponent("adapters/\(provider)/samples/\(name)")
    var bytes = Array(try Data(contentsOf: url))
    if name.hasSuffix(".form") { while bytes.last == 0x0A { bytes.removeLast() } }
    return bytes
}

func channel(_ provider: String, secrets: [String: String], settings: [String: String] = [:]) -> ChannelConfiguration {
    var ch = ChannelConfiguration(id: "ch_\(provider)", name: "Test \(provider)", provider: provider, chatbotId: "bot_test")
    ch.secrets = secrets.mapValues(Secret.init)
    ch.settings = settings
    return ch
}

/// What these tests' adapters share (Bot Framework's signing keys, AudioCodes' memory), as a
/// gateway's adapters share its environment.
let testEnvironment = AdapterEnvironment()

func adapter(for channel: ChannelConfiguration) throws -> any ChannelAdapter {
    let d = try #require(AdapterRegistry.standard[channel.provider])
    return d.makeAdapter(channel, environment: testEnvironment)
}

/// A sample signed the way the provider signs it.
func signed(
    _ channel: ChannelConfiguration, body: [UInt8], contentType: String, url: String = "https://hooks.example.com/webhooks/test"
) throws -> InboundRequest {
    let d = try #require(AdapterRegistry.standard[channel.provider])
    var request = SampleRequest(url: url, contentType: contentType, body: body)
    d.signSample(&request, channel)
    return request.inbound
}

extension InboundRequest {
    func replacingHeader(_ name: String, with value: String?) -> InboundRequest {
        var copy = self
        var h = HeaderFields(headers.fields.filter { $0.name != name.lowercased() }.map { ($0.name, $0.value) })
        if let value { h.add(name, value) }
        copy.headers = h
        return copy
    }
}

func expectUnauthorized(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try body()
        Issue.record("expected unauthorized", sourceLocation: sourceLocation)
    } catch {
        #expect((error as? AdapterError)?.kind == .unauthorized, "got \(error)", sourceLocation: sourceLocation)
    }
}
