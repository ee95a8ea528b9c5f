import Foundation

/// A request that `simulate` (or a test) is about to send, before and after signing.
public struct SampleRequest: Sendable {
    public var method: String
    /// The full URL the provider would call (the channel's public URL, plus any query).
    public var url: String
    public var contentType: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var now: Date

    public init(method: String = "POST", url: String, contentType: String, headers: [(String, String)] = [], body: [UInt8], now: Date = Date()) {
        self.method = method
        self.url = url
        self.contentType = contentType
        self.headers = headers
        self.body = body
        self.now = now
    }

    /// The request as an adapter would receive it.
    public var inbound: InboundRequest {
        var h = HeaderFields(headers)
        h.add("content-type", contentType)
        return InboundRequest(method: method, url: url, headers: h, body: body, receivedAt: now)
    }
}
