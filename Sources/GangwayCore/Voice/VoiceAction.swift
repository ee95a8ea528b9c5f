import Foundation

/// One step of the chatbot's answer to a voice call (DESIGN.md, "Voice: the reply contract").
public enum VoiceAction: Sendable, Equatable {
    case say(text: String, language: String?)
    case play(url: String)
    case listen(timeoutSeconds: Double?, language: String?, hints: [String])
    case transfer(to: String)
    case hangup

    /// "Listen again": what an answer without actions means.
    public static let listenAgain: [VoiceAction] = [.listen(timeoutSeconds: nil, language: nil, hints: [])]

    /// Reads `{"actions": [...]}`. An empty answer, or JSON without `actions` (or with none that are
    /// understood), means "listen again". A body that is not JSON at all is garbage: nil, and the
    /// caller hears the fallback.
    public static func parse(_ body: [UInt8]) -> [VoiceAction]? {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return listenAgain }
        guard let json = try? JSONValue.parse(body) else { return nil }
        guard let items = json["actions"]?.array else { return listenAgain }
        let actions = items.compactMap(parse(item:))
        return actions.isEmpty ? listenAgain : actions
    }

    static func parse(item: JSONValue) -> VoiceAction? {
        if let text = item["say"]?.string {
            return .say(text: text, language: item["language"]?.string)
        }
        if let url = item["play"]?.string { return .play(url: url) }
        if let listen = item["listen"] {
            return .listen(
                timeoutSeconds: SafeNumbers.finite(listen["timeoutSeconds"]?.double, in: 0...3600), language: listen["language"]?.string,
                hints: listen["hints"]?.items.compactMap(\.string) ?? [])
        }
        if let to = item["transfer"]?.string { return .transfer(to: to) }
        if item["hangup"] != nil { return .hangup }
        return nil
    }

    /// What a caller hears when the chatbot API fails: the channel's fallback, or an apology and hangup.
    public static func fallback(_ config: ChannelConfiguration.Fallback?) -> [VoiceAction] {
        let fb = config ?? ChannelConfiguration.Fallback()
        let then: VoiceAction = fb.then == "transfer" && fb.to != nil ? .transfer(to: fb.to!) : .hangup
        return [.say(text: fb.say, language: nil), then]
    }
}

/// A voice provider's adapter: it also renders the chatbot's actions into the provider's reply.
public protocol VoiceChannelAdapter: ChannelAdapter {
    /// The provider's reply (TwiML, NCCO, ...) for these actions.
    /// - Parameters:
    ///   - actions: what the chatbot wants the caller to hear and do.
    ///   - request: the webhook being answered.
    ///   - callbackURL: where the provider sends what the caller says next (a `listen`).
    func render(_ actions: [VoiceAction], for request: InboundRequest, callbackURL: String) -> AdapterResponse
}

extension VoiceChannelAdapter {
    public var voiceReplies: (any VoiceChannelAdapter)? { self }
}

extension InboundCall {
    /// Whether the provider waits for the chatbot's answer to this call (everything but a call's end).
    public var needsVoiceReply: Bool { event != EventName.callEnded.rawValue }
}
