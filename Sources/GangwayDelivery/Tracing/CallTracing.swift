import Foundation
import Instrumentation
import Tracing

/// How calls are traced: the webhook's trace context is stored with each call it produced, and
/// each attempt to deliver it to the chatbot API is a client span in that trace, whose
/// `traceparent` the request carries. With no tracer (no `telemetry:` in the config) no span is
/// made; the webhook's own `traceparent` is still passed on unchanged, so that the provider's or
/// the proxy's trace id reaches the chatbot API.
public struct CallTracing: Sendable {
    /// The tracer spans go to; nil: tracing is off.
    public let tracer: (any Tracer)?

    public init(tracer: (any Tracer)?) { self.tracer = tracer }

    /// Tracing off.
    public static let off = CallTracing(tracer: nil)

    public var isOn: Bool { tracer != nil }

    /// The stored form of a trace context: `traceparent`, and `tracestate` on a second line when
    /// there is one (neither header can hold a line break).
    public static func stored(traceparent: String, tracestate: String?) -> String {
        guard let tracestate, !tracestate.isEmpty else { return traceparent }
        return traceparent + "\n" + tracestate
    }

    /// The headers a stored trace context stands for.
    public static func headers(stored: String) -> [String: String] {
        let lines = stored.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        if let first = lines.first, TraceParent(String(first)) != nil { headers["traceparent"] = String(first) }
        if lines.count > 1, headers["traceparent"] != nil, !lines[1].isEmpty { headers["tracestate"] = String(lines[1]) }
        return headers
    }

    /// The trace context a span (or, without a tracer, an incoming request) hands to the calls it makes.
    /// - Parameters:
    ///   - context: the webhook span's context (tracer on).
    ///   - incoming: the webhook's `traceparent` and `tracestate` headers (tracer off: passed on as they are).
    public func contextToStore(_ context: InstrumentationContext?, incoming: [String: String]) -> String? {
        if let tracer, let context {
            var carrier: [String: String] = [:]
            tracer.inject(context, into: &carrier, using: DictionaryInjector())
            if let parent = carrier["traceparent"] { return Self.stored(traceparent: parent, tracestate: carrier["tracestate"]) }
        }
        guard let parent = incoming["traceparent"], TraceParent(parent) != nil else { return nil }
        return Self.stored(traceparent: parent, tracestate: incoming["tracestate"])
    }

    /// The context of a webhook's `traceparent`/`tracestate` headers (a new trace when absent or invalid).
    public func extract(_ headers: [String: String]) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        guard let tracer, let parent = headers["traceparent"], TraceParent(parent) != nil else { return context }
        tracer.extract(headers, into: &context, using: DictionaryExtractor())
        return context
    }

    /// Runs one attempt to deliver a call: in a client span of the call's trace when tracing is
    /// on, and with the headers the request must carry (`traceparent`, `tracestate`).
    /// - Parameters:
    ///   - name: the span's name.
    ///   - stored: the trace context stored with the call (nil for calls stored before tracing, or untraced).
    ///   - attributes: the span's attributes.
    ///   - operation: sends the request with the given headers; its result's status becomes the span's.
    public func attempt<T>(
        _ name: String, stored: String?, attributes: [String: String],
        _ operation: (_ headers: [String: String], _ span: (any Span)?) async throws -> T
    ) async throws -> T {
        guard let tracer else {
            return try await operation(stored.map(Self.headers(stored:)) ?? [:], nil)
        }
        var parent = InstrumentationContext.topLevel
        if let stored { tracer.extract(Self.headers(stored: stored), into: &parent, using: DictionaryExtractor()) }
        let span = tracer.startAnySpan(name, context: parent, ofKind: .client)
        for (k, v) in attributes { span.attributes[k] = SpanAttribute.string(v) }
        defer { span.end() }
        var headers: [String: String] = [:]
        tracer.inject(span.context, into: &headers, using: DictionaryInjector())
        do {
            return try await InstrumentationContext.$current.withValue(span.context) { try await operation(headers, span) }
        } catch {
            span.recordError(error)
            span.setStatus(.init(code: .error))
            throw error
        }
    }
}

/// Reads trace headers from a dictionary keyed by lowercase header names.
public struct DictionaryExtractor: Extractor {
    public init() {}
    public func extract(key: String, from carrier: [String: String]) -> String? { carrier[key.lowercased()] }
}

/// Writes trace headers into a dictionary, lowercase names.
public struct DictionaryInjector: Injector {
    public init() {}
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key.lowercased()] = value }
}
