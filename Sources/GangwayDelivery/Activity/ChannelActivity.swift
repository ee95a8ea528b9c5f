import Foundation
import Synchronization

/// What each channel has done since the process started, in plain totals an operator's console
/// reads (`GET /admin/channels`): webhooks received and how they ended, calls forwarded, retried
/// and dead-lettered. The console turns two readings into rates. Prometheus has the same figures
/// as labelled counters; these exist because a metrics backend cannot be read back in-process.
public final class ChannelActivity: Sendable {
    /// The totals of one channel.
    public struct Totals: Sendable, Equatable {
        /// Every webhook that reached the channel's route.
        public var received = 0
        /// Webhooks whose calls were committed (or, for voice, answered).
        public var accepted = 0
        /// Webhooks whose calls were all already stored (a provider's retry).
        public var duplicates = 0
        /// Webhooks refused: bad signature, bad body, wrong method, too large, store down.
        public var refused = 0
        /// Webhooks whose signature failed (refused, or let through in report mode).
        public var verificationFailures = 0
        /// Handshakes answered and authentic webhooks with nothing to forward.
        public var other = 0
        /// Calls the chatbot API accepted.
        public var forwarded = 0
        /// Attempts that will be retried.
        public var retried = 0
        /// Calls that became dead letters.
        public var dead = 0
        public init() {}
    }

    private let totals = Mutex<[String: Totals]>([:])

    public init() {}

    /// Adds to a channel's totals.
    public func record(_ channel: String, _ change: (inout Totals) -> Void) {
        totals.withLock { change(&$0[channel, default: Totals()]) }
    }

    /// The totals of a channel (zero when it has done nothing yet).
    public func totals(of channel: String) -> Totals {
        totals.withLock { $0[channel] ?? Totals() }
    }

    /// Counts a webhook by the outcome label of `gangway_webhooks_total`.
    public func webhook(_ channel: String, outcome: String) {
        record(channel) { t in
            t.received += 1
            switch outcome {
            case "accepted", "answered", "fallback": t.accepted += 1
            case "duplicate": t.duplicates += 1
            case "handshake", "ignored": t.other += 1
            default: t.refused += 1
            }
        }
    }
}
