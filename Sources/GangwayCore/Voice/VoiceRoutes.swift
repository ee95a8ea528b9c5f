import Foundation

/// The paths under `/webhooks/{channel}` that voice providers call back.
public enum VoiceRoutes {
    /// Where a provider posts what the caller said after a `listen` (the callback URL of every reply).
    public static let gather = "/gather"

    /// The callback URL of a reply: the public base the request came in on, the channel, ``gather``.
    /// - Parameter requestURL: the URL the provider called (``InboundRequest/url``).
    public static func callbackURL(requestURL: String, channelID: String) -> String {
        let base = requestURL.range(of: "/webhooks/").map { String(requestURL[..<$0.lowerBound]) } ?? ""
        return "\(base)/webhooks/\(channelID)\(gather)"
    }
}
