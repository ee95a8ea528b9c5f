import Foundation
import GangwayCore

/// The state of a stored call.
public struct DeliveryState: RawRepresentable, Sendable, Hashable, Codable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init?(parsing text: String) {
        guard Self.all.map(\.rawValue).contains(text) else { return nil }
        rawValue = text
    }
    /// Waiting for (or in) its next attempt.
    public static let pending = DeliveryState(rawValue: "pending")
    /// Accepted by the chatbot API.
    public static let delivered = DeliveryState(rawValue: "delivered")
    /// Given up on: replay it or purge it.
    public static let dead = DeliveryState(rawValue: "dead")
    public static let all: [DeliveryState] = [.pending, .delivered, .dead]
}

/// A call to enqueue: its key, conversation and envelope.
public struct NewDelivery: Sendable, Equatable {
    /// `<channelId>:<provider id>`: the dedup key and the idempotency-key.
    public var key: String
    public var channel: String
    public var provider: String
    /// chatbotId + channelId + providerId: calls of one conversation go one at a time, in order.
    public var conversation: String
    public var chatbotId: String
    public var kind: InboundCall.Kind
    /// The JSON body sent upstream.
    public var envelope: Data
    /// The trace context of the webhook that produced the call (``CallTracing``): its attempts are in that trace.
    public var traceContext: String?

    public init(
        key: String, channel: String, provider: String, conversation: String, chatbotId: String, kind: InboundCall.Kind, envelope: Data,
        traceContext: String? = nil
    ) {
        self.key = key
        self.channel = channel
        self.provider = provider
        self.conversation = conversation
        self.chatbotId = chatbotId
        self.kind = kind
        self.envelope = envelope
        self.traceContext = traceContext
    }

    /// The delivery of a normalized call on a channel.
    public init(call: InboundCall, channel: ChannelConfiguration, async: Bool? = nil, traceContext: String? = nil) {
        let envelope = UpstreamEnvelope(call: call, channel: channel, async: async)
        self.init(
            key: call.idempotencyKey(channelID: channel.id), channel: channel.id, provider: channel.provider,
            conversation: "\(channel.chatbotId)\u{1F}\(channel.id)\u{1F}\(call.storableProviderId)", chatbotId: channel.chatbotId,
            kind: call.kind, envelope: envelope.jsonData(), traceContext: traceContext)
    }
}

/// A stored call.
public struct Delivery: Sendable, Equatable {
    public var id: Int64
    public var key: String
    public var channel: String
    public var provider: String
    public var conversation: String
    public var chatbotId: String
    public var kind: InboundCall.Kind
    public var envelope: Data
    public var state: DeliveryState
    public var attempts: Int
    public var createdAt: Date
    /// When the current round of attempts started (creation, or the last replay): the basis of maxAgeSeconds.
    public var queuedAt: Date
    public var nextAttemptAt: Date
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    /// The trace context stored with the call (``NewDelivery/traceContext``).
    public var traceContext: String?

    public init(
        id: Int64, key: String, channel: String, provider: String, conversation: String, chatbotId: String, kind: InboundCall.Kind,
        envelope: Data, state: DeliveryState, attempts: Int, createdAt: Date, queuedAt: Date, nextAttemptAt: Date,
        lastStatus: Int? = nil, lastError: String? = nil, deliveredAt: Date? = nil, traceContext: String? = nil
    ) {
        self.traceContext = traceContext
        self.id = id
        self.key = key
        self.channel = channel
        self.provider = provider
        self.conversation = conversation
        self.chatbotId = chatbotId
        self.kind = kind
        self.envelope = envelope
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.queuedAt = queuedAt
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }
}

/// What one enqueue did.
public struct EnqueueOutcome: Sendable, Equatable {
    /// Calls stored now.
    public var stored: Int
    /// Calls whose key was already stored (a provider's retry): acknowledged, not stored again.
    public var duplicates: Int
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// Counts for metrics and `/admin/channels`.
public struct StoreStatistics: Sendable, Equatable {
    public var pending: Int
    public var dead: Int
    public var delivered: Int
    public var oldestPendingCreatedAt: Date?
    public var perChannel: [String: [DeliveryState: Int]]
    /// When each channel's oldest pending call was created (channels with pending calls only).
    public var oldestPendingPerChannel: [String: Date] = [:]
    public init(pending: Int = 0, dead: Int = 0, delivered: Int = 0, oldestPendingCreatedAt: Date? = nil, perChannel: [String: [DeliveryState: Int]] = [:]) {
        self.pending = pending
        self.dead = dead
        self.delivered = delivered
        self.oldestPendingCreatedAt = oldestPendingCreatedAt
        self.perChannel = perChannel
    }
}
