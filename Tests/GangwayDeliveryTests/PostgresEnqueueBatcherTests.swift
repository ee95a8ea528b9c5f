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

    /// While a statement runs, a webhook of another conversation goes in a second statement at once;
    /// a webhook of the running statement's conversation waits for it to end.
    @Test func aSecondStatementRunsBesideTheFirstButNotForItsConversation() async throws {
        let running = Mutex<[String: Set<String>]>([:])
        let log = Mutex<[String]>([])
        let batcher = PostgresEnqueueBatcher { calls, _ in
            let keys = calls.map(\.key).joined(separator: ",")
            let mine = Set(calls.map(\.conversation))
            running.withLock { r in
                log.withLock { $0.append("start \(keys) beside \(r.keys.sorted())") }
                r[keys] = mine
            }
            if keys == "ch1:a1" {
                // The first statement holds on until a second one runs (2 s at most).
                let deadline = ContinuousClock.now + .seconds(2)
                while running.withLock({ $0.count }) < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
                try await Task.sleep(for: .milliseconds(20))
            } else {
                try await Task.sleep(for: .milliseconds(30))
            }
            running.withLock { _ = $0.removeValue(forKey: keys) }
            log.withLock { $0.append("end \(keys)") }
            return calls.map(\.key)
        }
        let a1 = Task { try await batcher.enqueue([newDelivery("a1", conversation: "A")], now: Date()) }
        while running.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let a2 = Task { try await batcher.enqueue([newDelivery("a2", conversation: "A")], now: Date()) }
        try await Task.sleep(for: .milliseconds(5))
        let b1 = Task { try await batcher.enqueue([newDelivery("b1", conversation: "B")], now: Date()) }
        for task in [a1, a2, b1] { #expect(try await task.value == EnqueueOutcome(stored: 1, duplicates: 0)) }
        let events = log.withLock { $0 }
        #expect(events.contains("start ch1:b1 beside [\"ch1:a1\"]"), "b1 did not run beside a1: \(events)")
        let a2Start = try #require(events.firstIndex { $0.hasPrefix("start ch1:a2") }, "\(events)")
        let a1End = try #require(events.firstIndex(of: "end ch1:a1"), "\(events)")
        #expect(a1End < a2Start, "a2 started before a1 ended: \(events)")
    }

    /// A webhook whose conversation is free still waits behind an earlier waiting webhook that
    /// carries that conversation too: [X, Y] waits for X's statement, and a later [Y] must not
    /// go ahead of it in a second statement.
    @Test func aWebhookNeverOvertakesAWaitingWebhookOfItsConversation() async throws {
        let release = Atomic<Bool>(false)
        let started = Atomic<Bool>(false)
        let order = Mutex<[String]>([])
        let batcher = PostgresEnqueueBatcher { calls, _ in
            if calls.contains(where: { $0.key == "ch1:x1" }) {
                started.store(true, ordering: .sequentiallyConsistent)
                let deadline = ContinuousClock.now + .seconds(5)
                while !release.load(ordering: .sequentiallyConsistent) && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            order.withLock { $0.append(contentsOf: calls.map(\.key)) }
            return calls.map(\.key)
        }
        let x1 = Task { try await batcher.enqueue([newDelivery("x1", conversation: "X")], now: Date()) }
        while !started.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
        let w1 = Task { try await batcher.enqueue([newDelivery("x2", conversation: "X"), newDelivery("y1", conversation: "Y")], now: Date()) }
        while batcher.waitingCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let w2 = Task { try await batcher.enqueue([newDelivery("y2", conversation: "Y")], now: Date()) }
        while batcher.waitingCount < 2 && order.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(50))
        release.store(true, ordering: .sequentiallyConsistent)
        for task in [x1, w2] { #expect(try await task.value == EnqueueOutcome(stored: 1, duplicates: 0)) }
        #expect(try await w1.value == EnqueueOutcome(stored: 2, duplicates: 0))
        let keys = order.withLock { $0 }
        let y1 = try #require(keys.firstIndex(of: "ch1:y1"), "\(keys)")
        let y2 = try #require(keys.firstIndex(of: "ch1:y2"), "\(keys)")
        #expect(y1 < y2, "y2 was stored before y1: \(keys)")
        #expect(keys.first == "ch1:x1", "\(keys)")
    }

    /// Under a flood, statements running at once never share a conversation, and each
    /// conversation's webhooks are inserted in the order they were enqueued.
    @Test func statementsRunningAtOnceNeverShareAConversationAndKeepItsOrder() async throws {
        let running = Mutex<[Int: Set<String>]>([:])
        let shared = Mutex<[String]>([])
        let inserted = Mutex<[String: [String]]>([:])
        let next = Atomic<Int>(0)
        let batcher = PostgresEnqueueBatcher { calls, _ in
            let me = next.add(1, ordering: .sequentiallyConsistent).newValue
            let mine = Set(calls.map(\.conversation))
            running.withLock { r in
                for (_, theirs) in r where !theirs.isDisjoint(with: mine) { shared.withLock { $0.append("\(theirs.intersection(mine))") } }
                r[me] = mine
            }
            try await Task.sleep(for: .milliseconds(3))
            inserted.withLock { for call in calls { $0[call.conversation, default: []].append(call.key) } }
            running.withLock { $0[me] = nil }
            return calls.map(\.key)
        }
        // Each conversation's webhooks are enqueued one after another (each waits for its own
        // acknowledgement, as a provider's retries of one sender would), five conversations at once,
        // plus a flood of single webhooks over 50 conversations beside them.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<5 {
                group.addTask {
                    for i in 0..<40 { _ = try await batcher.enqueue([newDelivery("s\(c)-\(i)", conversation: "S\(c)")], now: Date()) }
                }
            }
            for i in 0..<300 {
                group.addTask { _ = try await batcher.enqueue([newDelivery("f\(i)", conversation: "F\(i % 50)")], now: Date()) }
            }
            try await group.waitForAll()
        }
        #expect(shared.withLock { $0 }.isEmpty, "statements running at once shared conversations: \(shared.withLock { $0 })")
        let byConversation = inserted.withLock { $0 }
        for c in 0..<5 {
            #expect(byConversation["S\(c)"] == (0..<40).map { "ch1:s\(c)-\($0)" }, "conversation S\(c) out of order")
        }
        #expect(byConversation.values.map(\.count).reduce(0, +) == 500)
    }

    /// The choice of the next statement's webhooks: in arrival order, none of a conversation in
    /// flight, none ahead of an earlier webhook of its conversation that stays, up to maxCalls.
    @Test func theNextStatementSkipsConversationsInFlightAndKeepsEachConversationsOrder() {
        #expect(PostgresEnqueueBatcher.pick([["A"], ["B"], ["A"], ["C"]], maxCalls: 10, inFlight: []) == [0, 1, 2, 3])
        #expect(PostgresEnqueueBatcher.pick([["A"], ["B"], ["A"], ["C"]], maxCalls: 10, inFlight: ["A"]) == [1, 3])
        // A webhook that does not fit holds its conversations back for the webhooks behind it.
        #expect(PostgresEnqueueBatcher.pick([["A"], ["B", "B", "B"], ["B"], ["C"]], maxCalls: 3, inFlight: []) == [0, 3])
        // A webhook with two conversations, one in flight, holds back the other's later webhooks.
        #expect(PostgresEnqueueBatcher.pick([["A", "B"], ["B"], ["C"]], maxCalls: 10, inFlight: ["A"]) == [2])
        // A first webhook larger than maxCalls goes alone.
        #expect(PostgresEnqueueBatcher.pick([["A", "A", "A"], ["B"]], maxCalls: 2, inFlight: []) == [0])
        #expect(PostgresEnqueueBatcher.pick([["A"], ["A"]], maxCalls: 10, inFlight: ["A"]).isEmpty)
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
