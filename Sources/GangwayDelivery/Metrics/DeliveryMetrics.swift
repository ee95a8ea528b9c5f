import Metrics
import Synchronization

/// The metrics every delivered call touches, made once per channel and provider rather than looked
/// up in the metrics factory (a lock and a hash of the labels) for each call.
final class DeliveryMetrics: Sendable {
    struct Channel: Sendable {
        /// `gangway_calls_delivered_total{channel, provider}`
        let delivered: Counter
        /// `gangway_delivery_latency_seconds{channel, provider}`: received → delivered.
        let latency: Timer
        /// `gangway_upstream_attempt_seconds{channel, provider}`
        let attempt: Timer
    }

    private let channels = Mutex<[String: Channel]>([:])

    func channel(_ channel: String, provider: String) -> Channel {
        let key = channel + "\u{1F}" + provider
        return channels.withLock { cache in
            if let c = cache[key] { return c }
            let dimensions = [("channel", channel), ("provider", provider)]
            let c = Channel(
                delivered: Counter(label: "gangway_calls_delivered_total", dimensions: dimensions),
                latency: Timer(label: "gangway_delivery_latency_seconds", dimensions: dimensions),
                attempt: Timer(label: "gangway_upstream_attempt_seconds", dimensions: dimensions))
            cache[key] = c
            return c
        }
    }
}
