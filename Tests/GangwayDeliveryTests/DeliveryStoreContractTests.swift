import Foundation
import GangwayCore
import GangwayDelivery
import Testing

/// The behaviour every `DeliveryStore` engine must have. Each test gets a fresh store.
/// (SQLite here, in a temp file; a PostgreSQL engine runs the same suite.)
enum StoreFactory {
    static func makeSQLite() throws -> (any DeliveryStore, String) {
        let path = NSTemporaryDirectory() + "gangway-test-\(UUID().uuidString).sqlite"
        return (try SQLiteDeliveryStore(path: path), path)
    }
}

func newDelivery(_ key: String, conversation: String = "conv-1", channel: String = "ch1") -> NewDelivery {
    NewDelivery(
        key: "\(channel):\(key)", channel: channel, provider: "test", conversation: conversation, chatbotId: "bot",
        kind: .handle, envelope: Data(#"{"chatbotId":"bot","key":"\#(key)"}"#.utf8))
}

@Suite struct DeliveryStoreContractTests {
    let store: any DeliveryStore
    let path: String
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    init() async throws {
        (store, path) = try StoreFactory.makeSQLite()
        try await store.prepare()
    }

    @Test func enqueueStoresOnceByKey() async throws {
        let first = try await store.enqueue([newDelivery("a"), newDelivery("b"), newDelivery("a")], now: t0)
        #expect(first == EnqueueOutcome(stored: 2, duplicates: 1))
        let again = try await store.enqueue([newDelivery("b"), newDelivery("c")], now: t0)
        #expect(again == EnqueueOutcome(stored: 1, duplicates: 1))
        #expect(try await store.statistics().pending == 3)
    }

    @Test func concurrentEnqueuesAllCommit() async throws {
        try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
            for i in 0..<200 {
                group.addTask { try await store.enqueue([newDelivery("k\(i)", conversation: "c\(i % 7)")], now: t0) }
            }
            var stored = 0
            for try await o in group { stored += o.stored }
            #expect(stored == 200)
        }
        #expect(try await store.statistics().pending == 200)
    }

    @Test func claimTakesOnlyTheHeadOfEachConversationInOrder() async throws {
        _ = try await store.enqueue([newDelivery("a1", conversation: "A"), newDelivery("b1", conversation: "B")], now: t0)
        _ = try await store.enqueue([newDelivery("a2", conversation: "A"), newDelivery("b2", conversation: "B")], now: t0)
        let first = try await store.claim(limit: 10, now: t0, lease: 30)
        #expect(Set(first.map(\.key)) == ["ch1:a1", "ch1:b1"])
        // In flight: nothing more of A or B until they finish.
        #expect(try await store.claim(limit: 10, now: t0, lease: 30).isEmpty)
        let a1 = try #require(first.first { $0.key == "ch1:a1" })
        try await store.markDelivered(id: a1.id, status: 200, now: t0)
        #expect(try await store.claim(limit: 10, now: t0, lease: 30).map(\.key) == ["ch1:a2"])
    }

    @Test func aRetryHoldsBackTheRestOfItsConversationOnly() async throws {
        _ = try await store.enqueue([newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A"), newDelivery("b1", conversation: "B")], now: t0)
        let claimed = try await store.claim(limit: 1, now: t0, lease: 30)
        let a1 = try #require(claimed.first)
        #expect(a1.key == "ch1:a1")
        try await store.markRetry(id: a1.id, status: 503, error: "HTTP 503", nextAttemptAt: t0.addingTimeInterval(60))
        let b = try await store.claim(limit: 10, now: t0, lease: 30)
        #expect(b.map(\.key) == ["ch1:b1"])
        try await store.markDelivered(id: b[0].id, status: 200, now: t0)
        let later = try await store.claim(limit: 10, now: t0.addingTimeInterval(61), lease: 30)
        #expect(later.map(\.key) == ["ch1:a1"])
        #expect(later.first?.attempts == 1)
        #expect(later.first?.lastStatus == 503)
    }

    @Test func leaseExpiryHandsACallBack() async throws {
        _ = try await store.enqueue([newDelivery("a1")], now: t0)
        #expect(try await store.claim(limit: 1, now: t0, lease: 30).count == 1)
        #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(10), lease: 30).isEmpty)
        #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(31), lease: 30).count == 1)
    }

    @Test func renewKeepsTheLease() async throws {
        _ = try await store.enqueue([newDelivery("a1")], now: t0)
        let c = try await store.claim(limit: 1, now: t0, lease: 30)
        try await store.renew(ids: c.map(\.id), until: t0.addingTimeInterval(100))
        #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(31), lease: 30).isEmpty)
    }

    @Test func restartHandsBackWhatWasInFlight() async throws {
        _ = try await store.enqueue([newDelivery("a1")], now: t0)
        #expect(try await store.claim(limit: 1, now: t0, lease: 3600).count == 1)
        let reopened = try SQLiteDeliveryStore(path: path)
        try await reopened.prepare()
        let again = try await reopened.claim(limit: 1, now: t0, lease: 30)
        #expect(again.map(\.key) == ["ch1:a1"])
    }

    @Test func deadLettersListReplayAndPurge() async throws {
        _ = try await store.enqueue([newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A"), newDelivery("x", channel: "ch2")], now: t0)
        let a1 = try #require(try await store.claim(limit: 10, now: t0, lease: 30).first { $0.key == "ch1:a1" })
        try await store.markDead(id: a1.id, status: 400, error: "HTTP 400 (not retryable)", now: t0)
        // The next call of the conversation is free once its head is dead.
        #expect(try await store.claim(limit: 10, now: t0, lease: 30).map(\.key) == ["ch1:a2"])
        let dead = try await store.list(state: .dead, channel: nil, limit: 10)
        #expect(dead.map(\.key) == ["ch1:a1"])
        #expect(dead.first?.lastStatus == 400)
        #expect(dead.first?.lastError == "HTTP 400 (not retryable)")
        #expect(dead.first?.attempts == 1)
        #expect(try await store.list(state: .dead, channel: "ch2", limit: 10).isEmpty)

        let replayAt = t0.addingTimeInterval(500)
        #expect(try await store.replay(id: a1.id, now: replayAt) == 1)
        #expect(try await store.replay(id: a1.id, now: replayAt) == 0)  // no longer dead
        let replayed = try #require(try await store.get(id: a1.id))
        #expect(replayed.state == .pending)
        #expect(replayed.attempts == 0)
        #expect(replayed.queuedAt == replayAt)
        #expect(replayed.key == "ch1:a1")

        try await store.markDead(id: a1.id, status: 500, error: "again", now: replayAt)
        #expect(try await store.replayAll(channel: "ch2", now: replayAt) == 0)
        #expect(try await store.replayAll(channel: "ch1", now: replayAt) == 1)
    }

    @Test func purgeRemovesOnlyDeadLetters() async throws {
        _ = try await store.enqueue([newDelivery("old", conversation: "A"), newDelivery("p", conversation: "B"), newDelivery("d", conversation: "C")], now: t0)
        let claimed = try await store.claim(limit: 10, now: t0, lease: 30)
        let old = try #require(claimed.first { $0.key == "ch1:old" })
        let d = try #require(claimed.first { $0.key == "ch1:d" })
        try await store.markDead(id: old.id, status: nil, error: "transport", now: t0)
        try await store.markDelivered(id: d.id, status: 200, now: t0)
        _ = try await store.enqueue([newDelivery("new", conversation: "D")], now: t0.addingTimeInterval(7200))
        let newer = try #require(try await store.claim(limit: 10, now: t0.addingTimeInterval(7200), lease: 30).first { $0.key == "ch1:new" })
        try await store.markDead(id: newer.id, status: nil, error: "transport", now: t0.addingTimeInterval(7200))

        #expect(try await store.purgeDead(olderThan: t0.addingTimeInterval(3600)) == 1)
        #expect(try await store.get(id: old.id) == nil)
        #expect(try await store.purgeDead(olderThan: nil) == 1)
        let stats = try await store.statistics()
        #expect(stats.pending == 1)
        #expect(stats.delivered == 1)
        #expect(stats.dead == 0)
    }

    @Test func deliveredKeysAreRememberedForTheDedupWindowThenForgotten() async throws {
        _ = try await store.enqueue([newDelivery("a")], now: t0)
        let a = try #require(try await store.claim(limit: 1, now: t0, lease: 30).first)
        try await store.markDelivered(id: a.id, status: 200, now: t0)
        #expect(try await store.enqueue([newDelivery("a")], now: t0) == EnqueueOutcome(stored: 0, duplicates: 1))
        #expect(try await store.expireDelivered(before: t0.addingTimeInterval(-1)) == 0)
        #expect(try await store.expireDelivered(before: t0.addingTimeInterval(1)) == 1)
        #expect(try await store.enqueue([newDelivery("a")], now: t0) == EnqueueOutcome(stored: 1, duplicates: 0))
    }

    @Test func listIsNewestFirstAndStatisticsCountPerChannel() async throws {
        _ = try await store.enqueue([newDelivery("1"), newDelivery("2"), newDelivery("3", channel: "ch2")], now: t0)
        #expect(try await store.list(state: nil, channel: nil, limit: 2).map(\.key) == ["ch2:3", "ch1:2"])
        let stats = try await store.statistics()
        #expect(stats.perChannel["ch1"]?[.pending] == 2)
        #expect(stats.perChannel["ch2"]?[.pending] == 1)
        #expect(stats.oldestPendingCreatedAt == t0)
        #expect(try await store.nextDue() == t0)
    }

    @Test func recordDeadStoresADeadLetterDirectly() async throws {
        try await store.recordDead(newDelivery("v1"), status: nil, error: "deadline exceeded", now: t0)
        let dead = try await store.list(state: .dead, channel: nil, limit: 5)
        #expect(dead.map(\.lastError) == ["deadline exceeded"])
    }
}
