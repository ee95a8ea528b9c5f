import Foundation
import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import Synchronization

/// Counters by label, channel, provider (and outcome), created on first use and kept.
final class CounterCache: Sendable {
    private let counters = Mutex<[String: Counter]>([:])

    /// `gangway_webhooks_total{channel, provider, outcome}`: every answer to a webhook counts once.
    func webhook(_ channel: String, _ provider: String, outcome: String) -> Counter {
        counter("gangway_webhooks_total", channel, provider, outcome: outcome)
    }

    func counter(_ label: String, _ channel: String, _ provider: String, outcome: String? = nil) -> Counter {
        let key = "\(label)\u{1F}\(channel)\u{1F}\(provider)\u{1F}\(outcome ?? "")"
        return counters.withLock { cache in
            if let c = cache[key] { return c }
            var dimensions = [("channel", channel), ("provider", provider)]
            if let outcome { dimensions.append(("outcome", outcome)) }
            let c = Counter(label: label, dimensions: dimensions)
            cache[key] = c
            return c
        }
    }
}
