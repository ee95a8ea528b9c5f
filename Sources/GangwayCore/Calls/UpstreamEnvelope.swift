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
    /// The idempotency key of this call on a channel: `<channelId>:<key>`. It travels as an HTTP
    /// header and is stored as text, so a provider's id that a header cannot carry (a control
    /// character, a space, a byte outside ASCII, more than 200 bytes) is replaced by
    /// `sha256-<hex of its bytes>`: the same id always gives the same key, and no stranger's byte
    /// reaches a header or a database that refuses it. Every id a provider documents is kept as it is.
    public func idempotencyKey(channelID: String) -> String { "\(channelID):\(Self.headerSafe(key))" }

    /// `id` when every byte is visible ASCII (0x21-0x7E) and there are at most 200, else its SHA-256.
    public static func headerSafe(_ id: String) -> String {
        let utf8 = id.utf8
        if !utf8.isEmpty, utf8.count <= 200, !utf8.contains(where: { $0 < 0x21 || $0 > 0x7E }) { return id }
        return digest(Array(utf8))
    }

    /// `sha256-<hex>` of some bytes: the stand-in for an id that cannot be stored or sent as it is.
    static func digest(_ bytes: [UInt8]) -> String { "sha256-" + Signatures.hex(Signatures.sha256(bytes)) }

    /// The id of the person on the other side as a store key: NUL, which PostgreSQL's text
    /// refuses, never reaches it (the envelope keeps the id as it came).
    public var storableProviderId: String { providerId.utf8.contains(0) ? Self.digest(Array(providerId.utf8)) : providerId }
}
