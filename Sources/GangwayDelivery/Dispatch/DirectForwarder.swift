import Foundation
import GangwayCore
import Logging
import Metrics
import Tracing

/// Direct delivery (voice): forwards a call at once with `async: false`, retrying only while the
/// provider's deadline allows, and returns the chatbot API's answer as voice actions. When the
/// API fails or is too slow, the caller hears the channel's fallback and the call is recorded as a
/// dead letter with the reason: never dropped silently.
public struct DirectForwarder: Sendable {
    public let client: ChatbotAPIClient
    public let store: any DeliveryStore

    /// Each channel's totals (forwarded, dead) for the console.
    public let activity: ChannelActivity

    /// A client span per attempt, in the webhook's trace.
    public let tracing: CallTracing

    public init(client: ChatbotAPIClient, store: any DeliveryStore, activity: ChannelActivity = ChannelActivity(), tracing: CallTracing = .off) {
        self.tracing = tracing
        self.client = client
        self.store = store
        self.activity = activity
    }

    public enum Outcome: Sendable, Equatable {
        case answered([VoiceAction])
        case fallback(reason: String)
    }

    /// - Parameters:
    ///   - call: the call (a call's start, or what the caller said).
    ///   - channel: its channel (deadline, fallback, key).
    ///   - apiKey: `x-chatcaptain-key`.
    ///   - receivedAt: when the provider's request arrived: the deadline counts from here.
    ///   - traceContext: the webhook's trace context (``CallTracing``).
    public func forward(
        _ call: InboundCall, channel: ChannelConfiguration, apiKey: String, receivedAt: Date, traceContext: String? = nil, logger: Logger
    ) async -> Outcome {
        let delivery = NewDelivery(call: call, channel: channel, async: false, traceContext: traceContext)
        let deadline = receivedAt.addingTimeInterval(channel.deadlineSeconds)
        let dimensions = [("channel", channel.id), ("provider", channel.provider)]
        var attempt = 0
        var lastStatus: Int?
        var lastError = "no attempt"
        while true {
            attempt += 1
            // Keep a little time to render and send the fallback.
            let remaining = deadline.timeIntervalSinceNow - 0.1
            if remaining <= 0.01 {
                lastError = "deadline of \(channel.deadlineSeconds) s exceeded (\(lastError))"
                break
            }
            do {
                let response = try await tracing.attempt(
                    "POST chatbot API \(delivery.kind.rawValue)", stored: traceContext,
                    attributes: Dispatcher.spanAttributes(
                        channel: delivery.channel, provider: delivery.provider, key: delivery.key, attempt: attempt)
                ) { headers, span in
                    let response = try await client.send(
                        kind: delivery.kind, chatbotId: delivery.chatbotId, envelope: delivery.envelope, apiKey: apiKey,
                        idempotencyKey: delivery.key, timeout: remaining, headers: headers, logger: logger)
                    span?.attributes["http.response.status_code"] = SpanAttribute.int(Int64(response.status))
                    return response
                }
                if response.isSuccess {
                    guard let actions = VoiceAction.parse(response.body) else {
                        lastStatus = response.status
                        lastError = "the answer is not JSON (\(response.body.count) bytes)"
                        break
                    }
                    Counter(label: "gangway_calls_delivered_total", dimensions: dimensions).increment()
                    activity.record(channel.id) { $0.forwarded += 1 }
                    Timer(label: "gangway_delivery_latency_seconds", dimensions: dimensions).recordSeconds(Date().timeIntervalSince(receivedAt))
                    return .answered(actions)
                }
                lastStatus = response.status
                lastError = "HTTP \(response.status)" + (response.errorMessage.map { ": \($0)" } ?? "")
                guard RetryPolicy.isRetryable(status: response.status) else { break }
            } catch {
                lastStatus = nil
                lastError = String("\(error)".prefix(300))
            }
            // A short pause before the next try, only if the deadline leaves room for one.
            let pause = min(0.05 * Double(attempt), 0.2)
            if deadline.timeIntervalSinceNow - pause < 0.1 {
                lastError = "deadline of \(channel.deadlineSeconds) s exceeded (\(lastError))"
                break
            }
            try? await Task.sleep(for: .seconds(pause))
        }
        Counter(label: "gangway_voice_fallbacks_total", dimensions: dimensions).increment()
        Counter(label: "gangway_calls_dead_lettered_total", dimensions: dimensions + [("reason", Dispatcher.reason(lastStatus))]).increment()
        activity.record(channel.id) { $0.dead += 1 }
        logger.warning(
            "voice call answered with the fallback; recorded as a dead letter",
            metadata: ["gangway.error": "\(lastError)", "gangway.attempts": "\(attempt)"])
        // The caller is waiting: answer first, record the dead letter right after.
        let store = self.store
        let reason = lastError
        let status = lastStatus
        Task {
            do {
                try await store.recordDead(delivery, status: status, error: reason, now: Date())
            } catch {
                logger.error("could not record the dead letter", metadata: ["gangway.error": "\(error)"])
            }
        }
        return .fallback(reason: lastError)
    }
}
