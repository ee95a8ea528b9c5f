import Foundation
import Synchronization

/// The last webhooks of each channel with the calls they produced, for the console's live view
/// (`GET /admin/channels/{id}/recent`). Kept in memory, a few per channel; never a header, a
/// signature or a secret: only what the gateway made of the request.
public final class RecentWebhooks: Sendable {
    /// One webhook as the console shows it.
    public struct Entry: Sendable {
        public var sequence: Int
        public var receivedAt: Date
        public var method: String
        /// The path below `/webhooks/{channel}` (`/gather`), empty for the webhook itself.
        public var subpath: String
        /// The outcome label of `gangway_webhooks_total` (`accepted`, `unverified`, ...).
        public var outcome: String
        public var status: Int
        /// The trace of the webhook, when tracing is on.
        public var traceId: String?
        /// The calls as they are (or would be) sent upstream: empty when refused or ignored.
        public var calls: [NewDelivery]
    }

    /// How many webhooks each channel keeps.
    public let capacity: Int

    /// A channel's last webhooks: a fixed ring, written in place (no copy of the others per webhook).
    struct Ring {
        var slots: [Entry] = []
        /// Where the next entry goes once the ring is full.
        var next = 0

        mutating func append(_ entry: Entry, capacity: Int) {
            if slots.count < capacity {
                slots.append(entry)
            } else {
                slots[next] = entry
                next = (next + 1) % capacity
            }
        }

        /// Oldest first.
        var ordered: [Entry] { Array(slots[next...] + slots[..<next]) }
    }

    private let entries = Mutex<(next: Int, byChannel: [String: Ring])>((1, [:]))

    public init(capacity: Int = 50) { self.capacity = max(1, capacity) }

    /// Keeps a webhook, dropping the channel's oldest past ``capacity``.
    public func record(
        channel: String, receivedAt: Date, method: String, subpath: String, outcome: String, status: Int, traceId: String? = nil,
        calls: [NewDelivery]
    ) {
        let capacity = self.capacity
        entries.withLock { state in
            let entry = Entry(
                sequence: state.next, receivedAt: receivedAt, method: method, subpath: subpath, outcome: outcome, status: status, traceId: traceId,
                calls: calls)
            state.next += 1
            state.byChannel[channel, default: Ring()].append(entry, capacity: capacity)
        }
    }

    /// A channel's webhooks, newest first, after `sequence` when given (the console asks for what is new).
    public func list(channel: String, after sequence: Int? = nil) -> [Entry] {
        let all = entries.withLock { $0.byChannel[channel]?.ordered ?? [] }
        return all.reversed().filter { sequence == nil || $0.sequence > sequence ?? 0 }
    }
}
