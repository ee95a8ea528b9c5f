import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing

/// The webhook's server span (tracing on): it continues a valid incoming `traceparent`, carries the
/// channel, provider, outcome and number of calls, and is the parent of `verify`, `normalize`,
/// `commit` and of every later attempt to deliver the calls.
extension WebhookController {
    /// The trace headers of a request, by lowercase name.
    static func traceHeaders(_ headers: HTTPFields) -> [String: String] {
        guard headers.contains(.traceparent) || headers.contains(.tracestate) else { return [:] }
        var out: [String: String] = [:]
        if let parent = headers[values: HTTPField.Name.traceparent].first { out["traceparent"] = parent }
        // Several tracestate fields are one list (W3C Trace Context, section 3.3.1.1).
        let states = headers[values: HTTPField.Name.tracestate]
        if !states.isEmpty { out["tracestate"] = states.joined(separator: ",") }
        return out
    }

    func traced(
        _ tracer: any Tracer, _ request: Request, channel: ChannelConfiguration, incoming: [String: String], note: Note,
        _ body: () async throws -> Response
    ) async throws -> Response {
        let parent = tracing.extract(incoming)
        let span = tracer.startAnySpan("\(request.method.rawValue) /webhooks/{channel}", context: parent, ofKind: .server)
        defer { span.end() }
        span.attributes["http.request.method"] = SpanAttribute.string(request.method.rawValue)
        span.attributes["url.path"] = SpanAttribute.string(request.uri.path)
        span.attributes["gangway.channel"] = SpanAttribute.string(channel.id)
        span.attributes["gangway.provider"] = SpanAttribute.string(channel.provider)
        note.traceContext = tracing.contextToStore(span.context, incoming: incoming)
        do {
            let response = try await InstrumentationContext.$current.withValue(span.context) { try await body() }
            let status = Int(response.status.code)
            span.attributes["http.response.status_code"] = SpanAttribute.int(Int64(status))
            span.attributes["gangway.outcome"] = SpanAttribute.string(note.outcome)
            span.attributes["gangway.calls"] = SpanAttribute.int(Int64(note.calls.count))
            if status >= 500 { span.setStatus(.init(code: .error)) }
            return response
        } catch {
            span.recordError(error)
            span.setStatus(.init(code: .error))
            throw error
        }
    }

    /// Runs an async step of the webhook in a child span when tracing is on.
    func span<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        guard let tracer = tracing.tracer else { return try await body() }
        return try await tracer.withAnySpan(name, ofKind: .internal) { _ in try await body() }
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}
