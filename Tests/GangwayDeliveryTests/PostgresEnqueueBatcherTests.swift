import Foundation
import GangwayCore
import Synchronization
import Testing

@testable import GangwayDelivery

/// PostgreSQL's group commit, without a database: concurrent webhooks share statements, each learns
/// its own outcome, and a statement that fails is retried webhook by webhook.
@Suite struct PostgresEnqueueBatcherTests {
    /// An insert that remembers its calls and its statements, keeps the keys it stored, and fails any
    /// statement that carries a key containing "bad".
    final class FakeTable: Sendable {
        let stored = Mutex<Set<String>>([])
        let statements = Mutex<[[String]]>([])

        func insert(_ calls: [NewDelivery], _ times: [Double]) async throws -> [String] {
            statements.withLock { $0.append(calls.map(\.key)) }
            try await Task.sleep(for: .milliseconds(calls.contains { $0.key.contains("slow") } ? 100 : 2))
            struct Refused: Error {}
            if calls.contains(where: { $0.key.contains("bad") }) { throw Refused() }
            return stored.withLock { stored in calls.map(\.key).filter { stored.insert($0).inserted } }
        }
    }

    @Test func concurrentWebhooksShareStatementsAndEachGetsItsOutcome() async throws {
        let table = FakeTable()
        let batcher = PostgresEnqueueBatcher(insert: table.insert)
        let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
            for i in 0..<200 {
                group.addTask { try await batcher.enqueue([newDelivery("w\(i)"), newDelivery("w\(i)-b")], now: Date()) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0 == EnqueueOutcome(stored: 2, duplicates: 0) })
        #expect(table.stored.withLock { $0.count } == 400)
        let statements = table.statements.withLock { $0 }
        #expect(statements.count < 200, "webhooks waiting together share a statement (\(statements.count) statements)")
        #expect(statements.allSatisfy { $0.count <= batcher.maxCalls })
    }

    @Test func aFailingWebhookFailsAloneAndTheOthersAreStored() async throws {
        let table = FakeTable()
        let batcher = PostgresEnqueueBatcher(insert: table.insert)
        // A slow statement runs first, so that the four webhooks after it wait and share the next one.
        let first = Task { try await batcher.enqueue([newDelivery("slow")], now: Date()) }
        try await Task.sleep(for: .milliseconds(20))
        let results = await withTaskGroup(of: (String, Bool).self) { group in
            for name in ["a", "bad", "c", "d"] {
                group.addTask { (name, (try? await batcher.enqueue([newDelivery(name)], now: Date())) != nil) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(try await first.value == EnqueueOutcome(stored: 1, duplicates: 0))
        #expect(results == ["a": true, "bad": false, "c": true, "d": true])
        #expect(table.stored.withLock { $0 } == ["ch1:slow", "ch1:a", "ch1:c", "ch1:d"])
        let statements = table.statements.withLock { $0 }
        #expect(statements.contains { Set($0) == ["ch1:a", "ch1:bad", "ch1:c", "ch1:d"] }, "the four shared a statement: \(statements)")
        #expect(statements.filter { $0 == ["ch1:bad"] }.count == 1, "then each went alone")
    }

    @Test func aLostConnectionFailsTheBatchAtOnceWithoutRetryingEachWebhook() async throws {
        struct Lost: Error {}
        let statements = Mutex<[[String]]>([])
        let batcher = PostgresEnqueueBatcher(retriesAlone: { !($0 is Lost) }) { calls, _ in
            statements.withLock { $0.append(calls.map(\.key)) }
            try await Task.sleep(for: .milliseconds(calls.contains { $0.key.contains("slow") } ? 100 : 2))
            if calls.contains(where: { $0.key.contains("lost") }) { throw Lost() }
            return calls.map(\.key)
        }
        let first = Task { try await batcher.enqueue([newDelivery("slow")], now: Date()) }
        try await Task.sleep(for: .milliseconds(20))
        let results = await withTaskGroup(of: (String, Bool).self) { group in
            for name in ["a", "lost", "c"] {
                group.addTask { (name, (try? await batcher.enqueue([newDelivery(name)], now: Date())) != nil) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(try await first.value == EnqueueOutcome(stored: 1, duplicates: 0))
        // The three shared a statement that lost its connection: all three fail (the provider
        // retries them), and nobody waits for a statement of its own against a dead database.
        #expect(results == ["a": false, "lost": false, "c": false])
        let seen = statements.withLock { $0 }
        #expect(seen.count == 2, "the slow one, then the shared one only: \(seen)")
    }

    @Test func aKeyCountsAsStoredForItsFirstCallOnly() {
        let webhooks = [[newDelivery("x"), newDelivery("x")], [newDelivery("x"), newDelivery("y")], [newDelivery("z")]]
        let outcomes = PostgresEnqueueBatcher.outcomes(of: webhooks, inserted: ["ch1:x", "ch1:y"])
        #expect(
            outcomes == [
                EnqueueOutcome(stored: 1, duplicates: 1), EnqueueOutcome(stored: 1, duplicates: 1), EnqueueOutcome(stored: 0, duplicates: 1),
            ])
    }
}
