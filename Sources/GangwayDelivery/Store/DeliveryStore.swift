import Foundation
import GangwayCore

/// The durable queue. Its behaviour is pinned by the contract suite in
/// `Tests/GangwayDeliveryTests/DeliveryStoreContractTests.swift`, which every engine passes.
public protocol DeliveryStore: AdapterMemoryStore {
    /// Creates or upgrades the schema, and hands back calls that a previous run held in flight.
    func prepare() async throws

    /// Commits all calls of one webhook in one transaction (concurrent webhooks share a commit).
    /// A key already stored is not stored again.
    func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome

    /// Stores a call straight as a dead letter (a voice call the chatbot API could not answer).
    func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws

    /// Claims up to `limit` due calls, each the oldest pending call of its conversation and none
    /// of a conversation already in flight, and leases them until `now + lease`.
    func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery]

    /// As ``claim(limit:now:lease:)``, passing over the calls of these channels (their chatbot's
    /// breaker holds them back: they stay due, untouched, and are claimed once it lets calls
    /// through again).
    func claim(limit: Int, now: Date, lease: Double, excludingChannels: Set<String>) async throws -> [Delivery]

    /// Renews the lease of calls still in flight.
    func renew(ids: [Int64], until: Date) async throws

    func markDelivered(id: Int64, status: Int, now: Date) async throws
    func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws
    func markDead(id: Int64, status: Int?, error: String, now: Date) async throws
    /// Hands claimed calls back without an attempt: each is due again at `until` (its chatbot's
    /// breaker is open, or the chatbot has as many calls in flight as it may). Attempts, status
    /// and error stay as they are; later calls of the conversation keep waiting behind it.
    func postpone(ids: [Int64], until: Date) async throws

    /// When the first pending call due after `after` is due (nil when none is). Calls already due but
    /// not claimed wait behind their conversation's head, the breaker or the concurrency limit, and
    /// whatever frees those wakes the dispatcher: they are not counted, so that it does not spin.
    /// A store may count only conversations' heads (a later call cannot go before its head ends).
    func nextDue(after: Date) async throws -> Date?

    /// Calls by state and channel, newest first.
    func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery]
    func get(id: Int64) async throws -> Delivery?

    /// Dead letters back to pending with attempts and age reset; returns how many.
    func replay(id: Int64, now: Date) async throws -> Int
    func replayAll(channel: String?, now: Date) async throws -> Int
    /// Removes dead letters (older than a date when given); never a pending or delivered call.
    func purgeDead(olderThan: Date?) async throws -> Int
    /// Forgets delivered calls older than the dedup window.
    func expireDelivered(before: Date) async throws -> Int

    func statistics() async throws -> StoreStatistics
    /// Throws when the store cannot be reached.
    func ping() async throws
}

extension DeliveryStore {
    /// A store that cannot filter claims: it claims as usual and hands the excluded calls back
    /// at once (their lease cleared, their due time unchanged).
    public func claim(limit: Int, now: Date, lease: Double, excludingChannels: Set<String>) async throws -> [Delivery] {
        let claimed = try await claim(limit: limit, now: now, lease: lease)
        guard !excludingChannels.isEmpty else { return claimed }
        let excluded = claimed.filter { excludingChannels.contains($0.channel) }
        for d in excluded { try await postpone(ids: [d.id], until: d.nextAttemptAt) }
        return claimed.filter { !excludingChannels.contains($0.channel) }
    }
}

extension DeliveryStore {
    /// A store without adapter memory (test doubles): nothing is kept beyond the process.
    public func recall(keys: [String], now: Date) async throws -> [String: String] { [:] }
    public func remember(_ values: [String: String], expiresAt: Date) async throws {}
}
