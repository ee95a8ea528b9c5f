import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import GangwayDelivery

/// PostgreSQL's conversation heads (`PostgresDeliveryStore+Heads.swift`) on a real database: the
/// interleaving that would leave a call without a head, forced step by step with a transaction
/// held open, and the upgrade of a table that has no heads yet.
@Suite(.enabled(if: StoreEngine.available.contains(.postgres)))
struct PostgresHeadsTests {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private var logger: Logger {
        var l = Logger(label: "pg-heads-test")
        l.logLevel = .warning
        return l
    }

    /// Another replica stores a call into a conversation whose head is being delivered, and has not
    /// committed when the delivery looks for the next head. The delivery must wait for it (the head
    /// row's lock) and then find the new call; without the lock it would find none and the new call
    /// would never be claimed.
    @Test func aDeliveryWaitsForACallBeingStoredIntoItsConversationAndFindsIt() async throws {
        let logger = self.logger
        let t0 = self.t0
        try await StoreFactory.with(.postgres) { anyStore, _ in
            let store = try #require(anyStore as? PostgresDeliveryStore)
            _ = try await store.enqueue([newDelivery("h", conversation: "C")], now: t0)
            let head = try #require(try await store.claim(limit: 10, now: t0, lease: 60).first)
            let finished = Flag()
            try await store.client.withConnection { writer in
                try await writer.query("BEGIN", logger: logger)
                try await writer.query(
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO \(store.table) (key, channel, provider, conversation, chatbot_id, kind, envelope, state, created_at,
                                queued_at, next_attempt_at)
                            VALUES ('ch1:x', 'ch1', 'test', 'C', 'bot', 'handle', '\\x7b7d', 'pending', 1800000000, 1800000000, 1800000000)
                            """), logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await store.markDelivered(id: head.id, status: 200, now: t0)
                        finished.value.store(true, ordering: .sequentiallyConsistent)
                    }
                    try await Task.sleep(for: .milliseconds(400))
                    #expect(finished.value.load(ordering: .sequentiallyConsistent) == false, "the delivery did not wait for the open transaction")
                    try await writer.query("COMMIT", logger: logger)
                    try await group.waitForAll()
                }
            }
            #expect(try await store.claim(limit: 10, now: t0, lease: 60).map(\.key) == ["ch1:x"])
        }
    }

    /// A table written before heads existed (no heads table, no triggers): the next `prepare()`
    /// builds the heads from the pending calls, and claims, outcomes and new calls go on from there.
    @Test func prepareBuildsTheHeadsOfATableThatHadNone() async throws {
        let logger = self.logger
        let t0 = self.t0
        try await StoreFactory.with(.postgres) { anyStore, reopen in
            let store = try #require(anyStore as? PostgresDeliveryStore)
            _ = try await store.enqueue(
                [newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A"), newDelivery("b1", conversation: "B")], now: t0)
            let t = store.table
            for statement in [
                "DROP TRIGGER \(t)_heads_inserted ON \(t)", "DROP TRIGGER \(t)_heads_updated ON \(t)", "DROP TRIGGER \(t)_heads_deleted ON \(t)",
                "DROP TABLE \(t)_heads",
            ] {
                try await store.client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            let upgraded = try await reopen()
            let first = try await upgraded.claim(limit: 10, now: t0, lease: 60)
            #expect(Set(first.map(\.key)) == ["ch1:a1", "ch1:b1"])
            let a1 = try #require(first.first { $0.key == "ch1:a1" })
            try await upgraded.markDelivered(id: a1.id, status: 200, now: t0)
            _ = try await upgraded.enqueue([newDelivery("c1", conversation: "C")], now: t0)
            #expect(Set(try await upgraded.claim(limit: 10, now: t0, lease: 60).map(\.key)) == ["ch1:a2", "ch1:c1"])
        }
    }
}

private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
