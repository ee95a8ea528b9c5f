import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// While every configured channel's chatbot is held back by its breaker, the dispatcher leaves the
/// store alone: a claim would walk every due head only to pass them all over.
@Suite struct DispatcherHeldBackTests {
    /// Counts claims, passing everything to an SQLite store.
    final class ClaimCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    struct CountingStore: DeliveryStore {
        let base: any DeliveryStore
        let claims: ClaimCounter

        func prepare() async throws { try await base.prepare() }
        func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome { try await base.enqueue(calls, now: now) }
        func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws {
            try await base.recordDead(call, status: status, error: error, now: now)
        }
        func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery] {
            try await claim(limit: limit, now: now, lease: lease, excludingChannels: [])
        }
        func claim(limit: Int, now: Date, lease: Double, excludingChannels: Set<String>) async throws -> [Delivery] {
            claims.count.add(1, ordering: .relaxed)
            return try await base.claim(limit: limit, now: now, lease: lease, excludingChannels: excludingChannels)
        }
        func renew(ids: [Int64], until: Date) async throws { try await base.renew(ids: ids, until: until) }
        func markDelivered(id: Int64, status: Int, now: Date) async throws { try await base.markDelivered(id: id, status: status, now: now) }
        func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws {
            try await base.markRetry(id: id, status: status, error: error, nextAttemptAt: nextAttemptAt)
        }
        func markDead(id: Int64, status: Int?, error: String, now: Date) async throws {
            try await base.markDead(id: id, status: status, error: error, now: now)
        }
        func postpone(ids: [Int64], until: Date) async throws { try await base.postpone(ids: ids, until: until) }
        func nextDue(after: Date) async throws -> Date? { try await base.nextDue(after: after) }
        func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery] {
            try await base.list(state: state, channel: channel, limit: limit)
        }
        func get(id: Int64) async throws -> Delivery? { try await base.get(id: id) }
        func replay(id: Int64, now: Date) async throws -> Int { try await base.replay(id: id, now: now) }
        func replayAll(channel: String?, now: Date) async throws -> Int { try await base.replayAll(channel: channel, now: now) }
        func purgeDead(olderThan: Date?) async throws -> Int { try await base.purgeDead(olderThan: olderThan) }
        func expireDelivered(before: Date) async throws -> Int { try await base.expireDelivered(before: before) }
        func statistics() async throws -> StoreStatistics { try await base.statistics() }
        func ping() async throws { try await base.ping() }
    }

    func call(_ key: String, user: String) -> InboundCall {
        .handle(key: key, providerId: user, message: InboundMessage(id: key, type: .text, text: "m \(key)"), provider: ProviderInfo(name: "test"))
    }

    /// Claims made in the second after the breaker opened (cooldown 5 s), with webhooks still
    /// arriving and waking the dispatcher; `channels` is what the configuration names.
    func claimsWhileHeldBack(channels: Set<String>) async throws -> Int {
        let standIn = StandIn()
        let deadBase = try await withServer(standIn.router()) { base in base }  // bound, then closed
        let (sqlite, _) = try StoreFactory.makeSQLite()
        let claims = ClaimCounter()
        let store = CountingStore(base: sqlite, claims: claims)
        try await store.prepare()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = ChatbotAPIClient(httpClient: http, baseURL: deadBase, timeout: 1)
        var config = Dispatcher.Configuration(maxConcurrency: 4, retry: RetryPolicy(maxAttempts: 1000, initialBackoffSeconds: 0.01, maxBackoffSeconds: 0.01))
        config.pollSeconds = 0.05
        config.breakerThreshold = 1
        config.breakerInitialCooldown = 5
        config.breakerMaxCooldown = 5
        config.channels = channels
        let dispatcher = Dispatcher(store: store, client: client, configuration: config, apiKey: { "key-\($0)" }, logger: DispatcherTests.logger)
        let channel = ChannelConfiguration(id: "ch1", name: "Test", provider: "test", chatbotId: "bot_1")
        let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: DispatcherTests.logger))
        var made = 0
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await store.enqueue([NewDelivery(call: call("first", user: "u0"), channel: channel)], now: Date())
            dispatcher.wake()
            #expect(try await eventually(5) { dispatcher.breakerOpen })
            let before = claims.count.load(ordering: .relaxed)
            for i in 1...20 {
                _ = try await store.enqueue([NewDelivery(call: call("m\(i)", user: "u\(i)"), channel: channel)], now: Date())
                dispatcher.wake()
                try await Task.sleep(for: .milliseconds(50))
            }
            made = claims.count.load(ordering: .relaxed) - before
            #expect(try await store.statistics().pending == 21)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await http.shutdown()
        return made
    }

    @Test func noClaimWhileEveryConfiguredChannelIsHeldBack() async throws {
        #expect(try await claimsWhileHeldBack(channels: ["ch1"]) == 0)
    }

    @Test func withoutTheChannelListTheStoreIsStillAsked() async throws {
        // The dispatcher's loop still wakes (its poll), so an unknown channel list means claims.
        #expect(try await claimsWhileHeldBack(channels: []) > 0)
    }
}
