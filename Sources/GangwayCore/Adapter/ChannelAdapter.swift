import Foundation

/// A provider's webhook scheme: a pure function of a request and the channel's settings.
///
/// An adapter never touches HTTP framework types, the store or the network. Its methods
/// are called in this order for each request: ``handshake(_:)``, then (when it returned nil)
/// ``verify(_:)``, ``normalize(_:)`` and, once the calls are committed,
/// ``acknowledgement(for:)``.
public protocol ChannelAdapter: Sendable {
    /// Answers registration handshakes (Meta's GET `hub.challenge`, Slack `url_verification`...).
    /// Returns nil when the request is not a handshake.
    func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse?
    /// Throws ``AdapterError`` (`unauthorized`) when the request is not provably from the provider.
    func verify(_ request: InboundRequest) throws(AdapterError)
    /// The calls this webhook means, in the provider's order; empty when it means nothing
    /// for the chatbot (counted as ignored, answered 200).
    func normalize(_ request: InboundRequest) throws(AdapterError) -> [InboundCall]
    /// What the provider expects once the calls are safely stored.
    func acknowledgement(for request: InboundRequest) -> AdapterResponse
    /// The HTTP methods this provider uses for webhooks (others are answered 405).
    var methods: Set<String> { get }
    /// What renders the chatbot's answer into this provider's reply, when the provider waits for
    /// it in the webhook's response (voice): every ``VoiceChannelAdapter`` is its own; nil otherwise.
    var voiceReplies: (any VoiceChannelAdapter)? { get }
    /// The ``AdapterMemory`` keys this request will read: the gateway loads them from its store
    /// before ``normalize(_:)`` (none by default).
    func memoryKeys(for request: InboundRequest) -> [String]
}

extension ChannelAdapter {
    public func handshake(_ request: InboundRequest) throws(AdapterError) -> AdapterResponse? { nil }
    public func acknowledgement(for request: InboundRequest) -> AdapterResponse { .ok() }
    public var methods: Set<String> { ["POST"] }
    public var voiceReplies: (any VoiceChannelAdapter)? { nil }
    public func memoryKeys(for request: InboundRequest) -> [String] { [] }
}

/// An answer to the provider, without framework types.
public struct AdapterResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    public init(status: Int, contentType: String? = nil, body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func ok(_ text: String = "", contentType: String = "text/plain; charset=utf-8") -> AdapterResponse {
        AdapterResponse(status: 200, contentType: text.isEmpty ? nil : contentType, body: Array(text.utf8))
    }

    public static func json(_ text: String, status: Int = 200) -> AdapterResponse {
        AdapterResponse(status: status, contentType: "application/json", body: Array(text.utf8))
    }

    public static func xml(_ text: String, status: Int = 200) -> AdapterResponse {
        AdapterResponse(status: status, contentType: "text/xml; charset=utf-8", body: Array(text.utf8))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why an adapter refused a request. The kind chooses the HTTP answer (GangwayServer's
/// `WebhookRefusal.adapter(_:)` is the one mapping); the message goes to the log and the answer
/// (never a secret, never a full signature).
public struct AdapterError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// 401: the signature or token is missing or wrong.
        case unauthorized
        /// 403: a handshake with the wrong verify token.
        case forbidden
        /// 400: the bytes cannot be parsed.
        case badRequest
        /// 415: the content type is not one this provider sends.
        case unsupportedMediaType
    }

    public var kind: Kind
    public var message: String
    /// What was checked, for the operator: the URL used, the header, the body length.
    public var diagnosis: [String: String]

    public init(_ kind: Kind, _ message: String, diagnosis: [String: String] = [:]) {
        self.kind = kind
        self.message = message
        self.diagnosis = diagnosis
    }

    public static func unauthorized(_ message: String, diagnosis: [String: String] = [:]) -> AdapterError {
        AdapterError(.unauthorized, message, diagnosis: diagnosis)
    }
    public static func forbidden(_ message: String) -> AdapterError { AdapterError(.forbidden, message) }
    public static func badRequest(_ message: String) -> AdapterError { AdapterError(.badRequest, message) }

    public var description: String { "\(kind.rawValue): \(message)" }
}
