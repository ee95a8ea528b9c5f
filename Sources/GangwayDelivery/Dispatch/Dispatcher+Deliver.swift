import Foundation
import GangwayCore
import Instrumentation
import Logging
import Metrics
import Synchronization
import Tracing

extension Dispatcher {
    /// One attempt of a claimed call, in a client span of the call's trace; its outcome is written back.
    func deliver(_ d: Delivery, leaseEnds: Date) async {
        // AsyncHTTPClient logs each request at debug and trace only: below that it gets a logger that
        // drops everything, so that no per-request metadata is built for nothing.
        let clientLogger = logger.logLevel <= .debug ? deliveryLogger(d) : Self.silentLogger
        let started = Date()
        let result: AttemptResult
        // The attempt's span context: what is logged about its outcome carries its trace and span ids.
        var attemptContext: InstrumentationContext?
        do {
            let key = apiKey(d.channel)
            let response = try await tracing.attempt(
                "POST chatbot API \(d.kind.rawValue)", stored: d.traceContext,
                attributes: Self.spanAttributes(
                    channel: d.channel, provider: d.provider, key: d.key, attempt: d.attempts + 1, id: d.id)
            ) { headers, span in
                attemptContext = InstrumentationContext.current
                let response = try await client.send(
                    kind: d.kind, chatbotId: d.chatbotId, envelope: d.envelope, apiKey: key, idempotencyKey: d.key, headers: headers, logger: clientLogger)
                span?.attributes["http.response.status_code"] = SpanAttribute.int(Int64(response.status))
                if !response.isSuccess { span?.setStatus(.init(code: .error)) }
                return response
            }
            result = .response(status: response.status, retryAfter: response.header("retry-after"), error: response.errorMessage.map { String($0.prefix(300)) })
        } catch {
            result = .transportError(String("\(error)".prefix(300)))
        }
        await InstrumentationContext.$current.withValue(attemptContext) {
            await finish(d, result, started: started, leaseEnds: leaseEnds)
        }
    }

    /// The dispatcher's logger with the call's id and channel: made when a line is logged, not per call.
    func deliveryLogger(_ d: Delivery) -> Logger {
        var log = logger
        log[metadataKey: "gangway.delivery.id"] = "\(d.id)"
        log[metadataKey: "gangway.channel.id"] = "\(d.channel)"
        return log
    }

    /// A logger that drops everything.
    static let silentLogger = Logger(label: "gangway.silent", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Learns from an attempt's result (breaker, metrics, the console's totals) and writes its outcome.
    private func finish(_ d: Delivery, _ result: AttemptResult, started: Date, leaseEnds: Date) async {
        let dimensions = [("channel", d.channel), ("provider", d.provider)]
        let metrics = deliveryMetrics.channel(d.channel, provider: d.provider)
        let now = Date()
        metrics.attempt.recordSeconds(now.timeIntervalSince(started))
        let key = laneKey(chatbotId: d.chatbotId, channel: d.channel)
        let (breakerWasOpen, breakerIsOpen) = lanes.withLock { lanes -> (Bool, Bool) in
            let was = lanes[key]?.breaker.isOpen ?? false
            switch result {
            case .response(let status, _, _) where status < 500 && status != 429: lanes[key]?.breaker.succeeded()
            default: lanes[key]?.breaker.failed(now: now)
            }
            return (was, lanes[key]?.breaker.isOpen ?? false)
        }
        if breakerWasOpen != breakerIsOpen {
            Gauge(label: "gangway_upstream_breaker_open", dimensions: [("chatbot", d.chatbotId)]).record(breakerIsOpen ? 1 : 0)
            deliveryLogger(d).log(
                level: breakerIsOpen ? .warning : .info,
                breakerIsOpen ? "circuit breaker opened for this chatbot; its calls wait on disk" : "circuit breaker closed for this chatbot",
                metadata: ["gangway.chatbot.id": "\(d.chatbotId)"])
        }
        let outcome = configuration.retry.decide(result, attempts: d.attempts + 1, queuedAt: d.queuedAt, now: now, random: Double.random(in: 0...1))
        switch outcome {
        case .delivered(let status):
            metrics.delivered.increment()
            activity.record(d.channel) { $0.forwarded += 1 }
            metrics.latency.recordSeconds(now.timeIntervalSince(d.createdAt))
            if logger.logLevel <= .debug {
                deliveryLogger(d).debug("call delivered", metadata: ["gangway.status": "\(status)", "gangway.attempts": "\(d.attempts + 1)"])
            }
        case .retry(let at, let status, let error):
            Counter(label: "gangway_calls_retried_total", dimensions: dimensions + [("reason", Self.reason(status))]).increment()
            activity.record(d.channel) { $0.retried += 1 }
            deliveryLogger(d).info(
                "call will be retried",
                metadata: [
                    "gangway.status": "\(status.map(String.init) ?? "-")", "gangway.error": "\(error)",
                    "gangway.retry.in": "\(String(format: "%.2f", at.timeIntervalSince(now)))s",
                ])
        case .dead(let status, let error):
            Counter(label: "gangway_calls_dead_lettered_total", dimensions: dimensions + [("reason", Self.reason(status))]).increment()
            activity.record(d.channel) { $0.dead += 1 }
            deliveryLogger(d).warning("call dead-lettered", metadata: ["gangway.status": "\(status.map(String.init) ?? "-")", "gangway.error": "\(error)"])
        }
        await record(outcome, of: d, at: now, leaseEnds: leaseEnds, logger: deliveryLogger(d))
    }

    /// The attributes of an attempt's client span (`id`: the stored call's, when it has one).
    static func spanAttributes(channel: String, provider: String, key: String, attempt: Int, id: Int64? = nil) -> [String: String] {
        var attributes = ["gangway.channel": channel, "gangway.provider": provider, "gangway.attempt": String(attempt), "gangway.idempotency_key": key]
        if let id { attributes["gangway.delivery.id"] = String(id) }
        return attributes
    }
}
