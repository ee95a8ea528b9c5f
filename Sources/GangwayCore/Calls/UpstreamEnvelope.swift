import Foundation

/// The JSON body of `handle` and `event` (DESIGN.md, section 3). Optional members are
/// omitted when nil, never sent as `null`.
public struct UpstreamEnvelope: Sendable, Equatable, Codable {
    public var chatbotId: String
    public var channelId: String
    public var channelName: String
    public var providerId: String
    public var callee: String?
    public var async: Bool?
    public var event: String?
    public var message: InboundMessage?
    public var contact: InboundContact?
    public var provider: ProviderInfo

    /// Builds the envelope of a call for a channel.
    /// - Parameters:
    ///   - call: what the adapter found.
    ///   - channel: the channel it came in on.
    ///   - async: overrides the channel's `async` (voice direct mode sends `false`).
    public init(call: InboundCall, channel: ChannelConfiguration, async: Bool? = nil) {
        chatbotId = channel.chatbotId
        channelId = channel.id
        channelName = channel.name
        providerId = call.providerId
        callee = call.callee
        self.async = async ?? channel.async
        event = call.kind == .event ? call.event : nil
        message = call.message
        contact = call.contact?.nonEmpty
        provider = call.provider
    }

    public var kind: InboundCall.Kind { event == nil ? .handle : .event }

    /// Encoded JSON, keys sorted so that the bytes are stable (see `jsonBytes()`).
    public func jsonData() -> Data { Data(jsonBytes()) }

    public static func decode(_ data: Data) throws -> UpstreamEnvelope {
        try JSONDecoder().decode(UpstreamEnvelope.self, from: data)
    }
}

extension InboundCall {
    /// The idempotency key of this call on a channel: `<channelId>:<key>`.
    public func idempotencyKey(channelID: String) -> String { "\(channelID):\(key)" }
}
