import Foundation

/// One call for the chatbot API that an adapter found in a webhook: a `handle` (a user's
/// message) or an `event` (a receipt, a reaction, a call that started ...).
///
/// The channel's own values (`chatbotId`, `channelId`, `channelName`, `async`) are added by
/// the gateway when it builds the ``UpstreamEnvelope``; an adapter never sees them.
public struct InboundCall: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case handle
        case event
    }

    public var kind: Kind
    /// The provider's id of this message or event, unique within the channel; the
    /// idempotency key is `<channelId>:<key>`.
    public var key: String
    /// The provider's id of the person on the other side.
    public var providerId: String
    /// The number that was called (voice), when there is one.
    public var callee: String?
    /// The normalized event name (``EventName``), for event calls.
    public var event: String?
    public var message: InboundMessage?
    public var contact: InboundContact?
    public var provider: ProviderInfo

    public init(
        kind: Kind, key: String, providerId: String, callee: String? = nil, event: String? = nil,
        message: InboundMessage? = nil, contact: InboundContact? = nil, provider: ProviderInfo
    ) {
        self.kind = kind
        self.key = key
        self.providerId = providerId
        self.callee = callee
        self.event = event
        self.message = message
        self.contact = contact
        self.provider = provider
    }

    /// A user's message.
    public static func handle(
        key: String, providerId: String, message: InboundMessage, contact: InboundContact? = nil,
        provider: ProviderInfo, callee: String? = nil
    ) -> InboundCall {
        InboundCall(kind: .handle, key: key, providerId: providerId, callee: callee, message: message, contact: contact, provider: provider)
    }

    /// Something that happened.
    public static func event(
        _ name: EventName, key: String, providerId: String, message: InboundMessage? = nil,
        contact: InboundContact? = nil, provider: ProviderInfo, callee: String? = nil
    ) -> InboundCall {
        InboundCall(
            kind: .event, key: key, providerId: providerId, callee: callee, event: name.rawValue, message: message,
            contact: contact, provider: provider)
    }
}

/// The normalized event names of the upstream envelope (DESIGN.md, section 3).
public struct EventName: RawRepresentable, Sendable, Hashable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let userSeenMessage = EventName(rawValue: "user_seen_message")
    public static let messageDelivered = EventName(rawValue: "message_delivered")
    public static let messageFailed = EventName(rawValue: "message_failed")
    public static let userTyping = EventName(rawValue: "user_typing")
    public static let messageReaction = EventName(rawValue: "message_reaction")
    public static let conversationStarted = EventName(rawValue: "conversation_started")
    public static let userUnsubscribed = EventName(rawValue: "user_unsubscribed")
    public static let callStarted = EventName(rawValue: "call_started")
    public static let callEnded = EventName(rawValue: "call_ended")
}

/// The content of a message (`message` in the envelope). Absent members are omitted.
public struct InboundMessage: Sendable, Equatable, Codable {
    public var id: String?
    public var type: MessageType
    public var text: String?
    /// ISO 8601, UTC.
    public var timestamp: String?
    public var media: [Media]?
    public var location: Location?
    public var contacts: [SharedContact]?
    public var payload: String?
    public var replyTo: String?
    /// Speech recognizer confidence, 0 to 1.
    public var confidence: Double?

    public init(
        id: String? = nil, type: MessageType, text: String? = nil, timestamp: String? = nil, media: [Media]? = nil,
        location: Location? = nil, contacts: [SharedContact]? = nil, payload: String? = nil, replyTo: String? = nil,
        confidence: Double? = nil
    ) {
        self.id = id
        self.type = type
        self.text = text
        self.timestamp = timestamp
        self.media = media
        self.location = location
        self.contacts = contacts
        self.payload = payload
        self.replyTo = replyTo
        self.confidence = confidence
    }

    public struct Media: Sendable, Equatable, Codable {
        public var id: String?
        public var url: String?
        public var mimeType: String?
        public var caption: String?
        public var filename: String?
        public init(id: String? = nil, url: String? = nil, mimeType: String? = nil, caption: String? = nil, filename: String? = nil) {
            self.id = id
            self.url = url
            self.mimeType = mimeType
            self.caption = caption
            self.filename = filename
        }
    }

    public struct Location: Sendable, Equatable, Codable {
        public var latitude: Double
        public var longitude: Double
        public var name: String?
        public var address: String?
        public init(latitude: Double, longitude: Double, name: String? = nil, address: String? = nil) {
            self.latitude = latitude
            self.longitude = longitude
            self.name = name
            self.address = address
        }
    }

    /// A contact card the user shared.
    public struct SharedContact: Sendable, Equatable, Codable {
        public var name: String?
        public var phones: [String]?
        public init(name: String? = nil, phones: [String]? = nil) {
            self.name = name
            self.phones = phones
        }
    }
}

/// `message.type` values (DESIGN.md, section 3).
public struct MessageType: RawRepresentable, Sendable, Hashable, Codable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static let text = MessageType(rawValue: "text")
    public static let image = MessageType(rawValue: "image")
    public static let audio = MessageType(rawValue: "audio")
    public static let video = MessageType(rawValue: "video")
    public static let document = MessageType(rawValue: "document")
    public static let sticker = MessageType(rawValue: "sticker")
    public static let location = MessageType(rawValue: "location")
    public static let contact = MessageType(rawValue: "contact")
    public static let postback = MessageType(rawValue: "postback")
    public static let speech = MessageType(rawValue: "speech")
    public static let dtmf = MessageType(rawValue: "dtmf")
    public static let unsupported = MessageType(rawValue: "unsupported")
}

/// The sender's profile (`contact` in the envelope).
public struct InboundContact: Sendable, Equatable, Codable {
    public var name: String?
    public var username: String?
    public var locale: String?
    public var phone: String?
    public init(name: String? = nil, username: String? = nil, locale: String? = nil, phone: String? = nil) {
        self.name = name
        self.username = username
        self.locale = locale
        self.phone = phone
    }

    /// nil when every member is nil, so that an empty object is never sent.
    public var nonEmpty: InboundContact? {
        name == nil && username == nil && locale == nil && phone == nil ? nil : self
    }
}

/// The provider's own view (`provider` in the envelope).
public struct ProviderInfo: Sendable, Equatable, Codable {
    /// The provider's config name (`whatsapp`, `twilio`, ...).
    public var name: String
    /// Our side of the conversation on the provider (phone number id, bot id, our number).
    public var recipientId: String?
    /// The provider's own name of the event (`read`, `delivered`, `kicked`, ...).
    public var event: String?
    /// A voice call's id, so that one call is one conversation.
    public var callId: String?
    /// A short-lived token the provider requires for the answer (LINE's `replyToken`, Discord's
    /// interaction `token`); the chatbot platform's sender uses it.
    public var replyToken: String?
    public init(name: String, recipientId: String? = nil, event: String? = nil, callId: String? = nil, replyToken: String? = nil) {
        self.name = name
        self.recipientId = recipientId
        self.event = event
        self.callId = callId
        self.replyToken = replyToken
    }
}
