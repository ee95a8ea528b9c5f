import GangwayCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Why the gateway answers a webhook without storing or forwarding it: the one place where
/// refusals (the adapters' ``AdapterError`` kinds, the store's failure, the limits) become HTTP
/// statuses, bodies and the `outcome` label of `gangway_webhooks_total`. Grows by static members,
/// as AsyncHTTPClient's errors do.
struct WebhookRefusal: HTTPResponseError, Equatable {
    var status: HTTPResponse.Status
    /// The plain-text body (never a secret, never a signature).
    var message: String
    /// The metric label.
    var outcome: String
    /// Tells the provider to come back (a `Retry-After` header): the refusal is temporary.
    var retryLater = false

    static let unknownChannel = WebhookRefusal(status: .notFound, message: "unknown channel", outcome: "not_found")
    static let draining = WebhookRefusal(
        status: .serviceUnavailable, message: "shutting down, try again", outcome: "unavailable", retryLater: true)
    static let storeUnavailable = WebhookRefusal(
        status: .serviceUnavailable, message: "cannot store the webhook now, try again", outcome: "unavailable", retryLater: true)
    /// The signature or token did not verify (the reason goes to the log, not to the caller).
    static let unverified = WebhookRefusal(status: .unauthorized, message: "signature verification failed", outcome: "unauthorized")

    static func tooLarge(limit: Int) -> WebhookRefusal {
        WebhookRefusal(status: .contentTooLarge, message: "body exceeds \(limit) bytes", outcome: "too_large")
    }

    static func methodNotAllowed(_ method: String, provider: String) -> WebhookRefusal {
        WebhookRefusal(status: .methodNotAllowed, message: "\(method) is not used by \(provider)", outcome: "method_not_allowed")
    }

    /// A path below the channel's URL that its provider does not declare (``ProviderDescriptor/subpaths``).
    static func unknownSubpath(_ subpath: String, provider: String) -> WebhookRefusal {
        WebhookRefusal(status: .notFound, message: "\(provider) serves no \(subpath) below its webhook", outcome: "not_found")
    }

    /// An adapter's refusal: its kind chooses the status.
    static func adapter(_ error: AdapterError) -> WebhookRefusal {
        switch error.kind {
        case .unauthorized: WebhookRefusal(status: .unauthorized, message: error.message, outcome: "unauthorized")
        case .forbidden: WebhookRefusal(status: .forbidden, message: error.message, outcome: "forbidden")
        case .badRequest: WebhookRefusal(status: .badRequest, message: error.message, outcome: "bad_request")
        case .unsupportedMediaType: WebhookRefusal(status: .unsupportedMediaType, message: error.message, outcome: "unsupportedMediaType")
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    /// The answer: the message as plain text, with `Retry-After: 5` when the refusal is temporary.
    var response: Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if retryLater { headers[.retryAfter] = "5" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
