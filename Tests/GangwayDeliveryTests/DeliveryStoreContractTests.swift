import Foundation
import GangwayCore
import GangwayDelivery
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The engines the contract suite runs on: SQLite always; PostgreSQL when
/// GANGWAY_TEST_POSTGRES_URL names a database (scripts/test.sh starts one), skipped otherwise.
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var available: [StoreEngine] {
        ProcessInfo.processInfo.environment["GANGWAY_TEST_POSTGRES_URL"].map { _ in [.sqlite, .postgres] } ?? [.sqlite]
    }

    var testDescription: String { rawValue }
}

enum StoreFactory {
    static func makeSQLite() throws -> (any DeliveryStore, String) {
        let path = NSTemporaryDirectory() + "gangway-test-\(UUID().uuidString).sqlite"
        return (try SQLiteDeliveryStore(path: path), path)
    }

    /// Runs `body` with a fresh, prepared store of the engine, and a function that opens the same
    /// data again as a new process would.
    static func with(
        _ engine: StoreEngine, _ body: @Sendable (any DeliveryStore, @Sendable () async throws -> any DeliveryStore) async throws -> Void
    ) async throws {
        switch engine {
        case .sqlite:
            let (store, path) = try makeSQLite()
            try await store.prepare()
            try await body(
                store,
                {
                    let again = try SQLiteDeliveryStore(path: path)
                    try await again.prepare()
                    return again
                })
        case .postgres:
            let url = ProcessInfo.processInfo.environment["GANGWAY_TEST_POSTGRES_URL"] ?? ""
            let logger = { () -> Logger in
                var l = Logger(label: "pg-test")
                l.logLevel = .warning
                return l
            }()
            let client = PostgresClient(configuration: try PostgresDeliveryStore.configuration(url: url), backgroundLogger: logger)
            let table = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let store = PostgresDeliveryStore(client: client, table: table, logger: logger)
                try await store.prepare()
                try await body(
                    store,
                    {
                        let again = PostgresDeliveryStore(client: client, table: table, logger: logger)
                        try await again.prepare()
                        return again
                    })
                // What the store made beside its table (the queue's and the heads' functions, heads,
                // adapter memory); the claim's function returns the table's rows, so it goes first.
                // The functions are found by their name's prefix, whatever their signatures.
                var functions: [String] = []
                let found = try await client.query(
                    "SELECT oid::regprocedure::text FROM pg_proc WHERE left(proname, \(table.count + 1)::int) = \(table + "_")", logger: logger)
                for try await name in found.decode(String.self) { functions.append(name) }
                for function in functions {
                    try await client.query("DROP FUNCTION IF EXISTS \(unescaped: function) CASCADE", logger: logger)
                }
                try await client.query("DROP TABLE \(unescaped: table)", logger: logger)
                try await client.query("DROP TABLE IF EXISTS \(unescaped: table)_heads, \(unescaped: table)_memory", logger: logger)
            }
        }
    }
}

func newDelivery(_ key: String, conversation: String = "conv-1", channel: String = "ch1") -> NewDelivery {
    NewDelivery(
        key: "\(channel):\(key)", channel: channel, provider: "test", conversation: conversation, chatbotId: "bot",
        kind: .handle, envelope: Data(#"{"chatbotId":"bot","key":"\#(key)"}"#.utf8))
}

/// What concurrent claimers saw.
final class Tally: Sendable {
    let held = Mutex<[String: Int]>([:])
    let maxHeld = Mutex(0)
    let delivered = Mutex<[String: [String]]>([:])
}

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// The behaviour every `DeliveryStore` engine must have. Each test gets a fresh store.
@Suite struct DeliveryStoreContractTests {
    @Test(arguments: StoreEngine.available)
    func enqueueStoresOnceByKey(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            let first = try await store.enqueue([newDelivery("a"), newDelivery("b"), newDelivery("a")], now: t0)
            #expect(first == EnqueueOutcome(stored: 2, duplicates: 1))
            let again = try await store.enqueue([newDelivery("b"), newDelivery("c")], now: t0)
            #expect(again == EnqueueOutcome(stored: 1, duplicates: 1))
            #expect(try await store.statistics().pending == 3)
        }
    }

    @Test(arguments: StoreEngine.available)
    func concurrentEnqueuesAllCommit(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
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
    }

    @Test(arguments: StoreEngine.available)
    func claimTakesOnlyTheHeadOfEachConversationInOrder(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
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
    }

    @Test(arguments: StoreEngine.available)
    func aRetryHoldsBackTheRestOfItsConversationOnly(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue(
                [newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A"), newDelivery("b1", conversation: "B")], now: t0)
            let claimed = try await store.claim(limit: 1, now: t0, lease: 30)
            let a1 = try #require(claimed.first)
            #expect(a1.key == "ch1:a1")
            try await store.markRetry(id: a1.id, status: 503, error: "HTTP 503", nextAttemptAt: t0.addingTimeInterval(60))
            let b = try await store.claim(limit: 10, now: t0, lease: 30)
            #expect(b.map(\.key) == ["ch1:b1"])
            try await store.markDelivered(id: b[0].id, status: 200, now: t0)
            // a2 waits behind its head: its next attempt moved up to a1's, B's calls did not move.
            let waiting = try await store.list(state: .pending, channel: "ch1", limit: 10)
            #expect(waiting.first(where: { $0.key == "ch1:a2" })?.nextAttemptAt == t0.addingTimeInterval(60))
            #expect(try await store.nextDue(after: t0) == t0.addingTimeInterval(60))
            let later = try await store.claim(limit: 10, now: t0.addingTimeInterval(61), lease: 30)
            #expect(later.map(\.key) == ["ch1:a1"])
            #expect(later.first?.attempts == 1)
            #expect(later.first?.lastStatus == 503)
            // Once the head is delivered, the next call is due at once.
            try await store.markDelivered(id: later[0].id, status: 200, now: t0.addingTimeInterval(61))
            #expect(try await store.claim(limit: 10, now: t0.addingTimeInterval(61), lease: 30).map(\.key) == ["ch1:a2"])
        }
    }

    @Test(arguments: StoreEngine.available)
    func leaseExpiryHandsACallBack(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue([newDelivery("a1")], now: t0)
            #expect(try await store.claim(limit: 1, now: t0, lease: 30).count == 1)
            #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(10), lease: 30).isEmpty)
            #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(31), lease: 30).count == 1)
        }
    }

    @Test(arguments: StoreEngine.available)
    func renewKeepsTheLease(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue([newDelivery("a1")], now: t0)
            let c = try await store.claim(limit: 1, now: t0, lease: 30)
            try await store.renew(ids: c.map(\.id), until: t0.addingTimeInterval(100))
            #expect(try await store.claim(limit: 1, now: t0.addingTimeInterval(31), lease: 30).isEmpty)
        }
    }

    @Test(arguments: StoreEngine.available)
    func restartHandsBackWhatWasInFlight(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue([newDelivery("a1")], now: t0)
            #expect(try await store.claim(limit: 1, now: t0, lease: 3600).count == 1)
            let reopened = try await reopen()
            // SQLite (one process owns the file) hands it back at once; PostgreSQL (other replicas may
            // be alive) when the lease ends.
            if engine == .sqlite {
                #expect(try await reopened.claim(limit: 1, now: t0, lease: 30).map(\.key) == ["ch1:a1"])
            } else {
                #expect(try await reopened.claim(limit: 1, now: t0, lease: 30).isEmpty)
                #expect(try await reopened.claim(limit: 1, now: t0.addingTimeInterval(3601), lease: 30).map(\.key) == ["ch1:a1"])
            }
        }
    }

    @Test(arguments: StoreEngine.available)
    func deadLettersListReplayAndPurge(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue(
                [newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A"), newDelivery("x", channel: "ch2")], now: t0)
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
    }

    @Test(arguments: StoreEngine.available)
    func purgeRemovesOnlyDeadLetters(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue(
                [newDelivery("old", conversation: "A"), newDelivery("p", conversation: "B"), newDelivery("d", conversation: "C")], now: t0)
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
    }

    @Test(arguments: StoreEngine.available)
    func deliveredKeysAreRememberedForTheDedupWindowThenForgotten(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue([newDelivery("a")], now: t0)
            let a = try #require(try await store.claim(limit: 1, now: t0, lease: 30).first)
            try await store.markDelivered(id: a.id, status: 200, now: t0)
            #expect(try await store.enqueue([newDelivery("a")], now: t0) == EnqueueOutcome(stored: 0, duplicates: 1))
            #expect(try await store.expireDelivered(before: t0.addingTimeInterval(-1)) == 0)
            #expect(try await store.expireDelivered(before: t0.addingTimeInterval(1)) == 1)
            #expect(try await store.enqueue([newDelivery("a")], now: t0) == EnqueueOutcome(stored: 1, duplicates: 0))
        }
    }

    @Test(arguments: StoreEngine.available)
    func listIsNewestFirstAndStatisticsCountPerChannel(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            _ = try await store.enqueue([newDelivery("1"), newDelivery("2"), newDelivery("3", conversation: "conv-2", channel: "ch2")], now: t0)
            #expect(try await store.list(state: nil, channel: nil, limit: 2).map(\.key) == ["ch2:3", "ch1:2"])
            let stats = try await store.statistics()
            #expect(stats.perChannel["ch1"]?[.pending] == 2)
            #expect(stats.perChannel["ch2"]?[.pending] == 1)
            #expect(stats.oldestPendingCreatedAt == t0)
            #expect(try await store.nextDue(after: t0.addingTimeInterval(-1)) == t0)
            // Calls due already are not "next": nothing falls due later.
            #expect(try await store.nextDue(after: t0) == nil)
            try await store.markRetry(
                id: try #require(try await store.list(state: nil, channel: "ch2", limit: 1).first).id, status: 500, error: "x",
                nextAttemptAt: t0.addingTimeInterval(30))
            #expect(try await store.nextDue(after: t0) == t0.addingTimeInterval(30))
        }
    }

    @Test(arguments: StoreEngine.available)
    func recordDeadStoresADeadLetterDirectly(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            try await store.recordDead(newDelivery("v1"), status: nil, error: "deadline exceeded", now: t0)
            let dead = try await store.list(state: .dead, channel: nil, limit: 5)
            #expect(dead.map(\.lastError) == ["deadline exceeded"])
        }
    }

    @Test(arguments: StoreEngine.available)
    func twoClaimersNeverHoldOneConversationAtOnceAndKeepItsOrder(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            for n in 0..<4 {
                _ = try await store.enqueue((0..<30).map { c in newDelivery("c\(c)-\(n)", conversation: "C\(c)") }, now: t0)
            }
            let other = try await reopen()
            let tally = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for claimer in [store, other] {
                    group.addTask { [tally] in
                        var idle = 0
                        while idle < 20 {
                            let claimed = try await claimer.claim(limit: 7, now: t0, lease: 60)
                            if claimed.isEmpty {
                                idle += 1
                                try await Task.sleep(for: .milliseconds(5))
                                continue
                            }
                            idle = 0
                            for d in claimed {
                                let now = tally.held.withLock { h -> Int in
                                    h[d.conversation, default: 0] += 1
                                    return h[d.conversation]!
                                }
                                tally.maxHeld.withLock { $0 = max($0, now) }
                            }
                            for d in claimed {
                                tally.held.withLock { $0[d.conversation, default: 1] -= 1 }
                                tally.delivered.withLock { $0[d.conversation, default: []].append(d.key) }
                                try await claimer.markDelivered(id: d.id, status: 200, now: t0)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tally.maxHeld.withLock { $0 } == 1)
            let result = tally.delivered.withLock { $0 }
            #expect(result.count == 30)
            for c in 0..<30 {
                #expect(result["C\(c)"] == (0..<4).map { "ch1:c\(c)-\($0)" })
            }
        }
    }

    /// Random enqueues, claims, outcomes, replays and dead letters, with a clock that moves, against a
    /// model of the rules: only a conversation's oldest pending call (its head) may be claimed, once
    /// due and not leased, in (due time, id) order; a retry moves the calls behind it up to its time.
    @Test(arguments: StoreEngine.available)
    func claimsFollowTheModelUnderRandomOperations(_ engine: StoreEngine) async throws {
        struct Call {
            var id: Int64?
            let conversation: String
            var pending = true
            var due: Double
            var leaseUntil: Double?
            let order: Int
        }
        try await StoreFactory.with(engine) { store, reopen in
            var rng = SplitMix(seed: 20_261_126)
            var calls: [String: Call] = [:]
            var order = 0
            var clock = t0.timeIntervalSince1970
            var inFlight: [Delivery] = []
            var claimedCount = 0
            func heads() -> [(String, Call)] {
                var best: [String: (String, Call)] = [:]
                for (key, c) in calls where c.pending {
                    if let b = best[c.conversation], b.1.order < c.order { continue }
                    best[c.conversation] = (key, c)
                }
                return Array(best.values)
            }
            for step in 0..<400 {
                let now = Date(timeIntervalSince1970: clock)
                switch rng.next(100) {
                case 0..<30:
                    var batch: [NewDelivery] = []
                    for _ in 0..<(1 + rng.next(3)) {
                        // One key in ten is a provider's retry of a call already stored.
                        if rng.next(10) == 0, let again = calls.keys.sorted().randomElement(using: &rng) {
                            batch.append(newDelivery(String(again.dropFirst(4)), conversation: calls[again]!.conversation))
                            continue
                        }
                        let conversation = "C\(rng.next(6))"
                        let key = "k\(order)"
                        batch.append(newDelivery(key, conversation: conversation))
                        calls["ch1:\(key)"] = Call(conversation: conversation, due: clock, order: order)
                        order += 1
                    }
                    let outcome = try await store.enqueue(batch, now: now)
                    #expect(outcome.stored + outcome.duplicates == batch.count)
                case 30..<55:
                    let limit = 1 + rng.next(4)
                    let claimed = try await store.claim(limit: limit, now: now, lease: 10)
                    let expected = heads().filter { $0.1.due <= clock && ($0.1.leaseUntil.map { $0 < clock } ?? true) }
                        .sorted { ($0.1.due, $0.1.order) < ($1.1.due, $1.1.order) }.prefix(limit).map(\.0)
                    #expect(claimed.map(\.key) == expected, "step \(step): claimed \(claimed.map(\.key)), the model says \(expected)")
                    for d in claimed {
                        calls[d.key]?.id = d.id
                        calls[d.key]?.leaseUntil = clock + 10
                        inFlight.append(d)
                    }
                    claimedCount += claimed.count
                case 55..<80 where !inFlight.isEmpty:
                    let d = inFlight.remove(at: rng.next(inFlight.count))
                    switch rng.next(3) {
                    case 0:
                        try await store.markDelivered(id: d.id, status: 200, now: now)
                        calls[d.key]?.pending = false
                    case 1:
                        let at = clock + Double(rng.next(20))
                        try await store.markRetry(id: d.id, status: 503, error: "x", nextAttemptAt: Date(timeIntervalSince1970: at))
                        calls[d.key]?.due = at
                        calls[d.key]?.leaseUntil = nil
                        let conversation = calls[d.key]!.conversation
                        let mine = calls[d.key]!.order
                        for (k, c) in calls where c.pending && c.conversation == conversation && c.order > mine && c.due < at { calls[k]?.due = at }
                    default:
                        try await store.markDead(id: d.id, status: 400, error: "x", now: now)
                        calls[d.key]?.pending = false
                    }
                case 80..<88:
                    // A dead letter is replayed: pending again, due now, possibly ahead of its conversation.
                    let dead = try await store.list(state: .dead, channel: nil, limit: 100)
                    if let d = dead.randomElement(using: &rng) {
                        #expect(try await store.replay(id: d.id, now: now) == 1)
                        calls[d.key]?.pending = true
                        calls[d.key]?.due = clock
                        calls[d.key]?.leaseUntil = nil
                        calls[d.key]?.id = d.id
                    }
                case 88..<92:
                    let conversation = "C\(rng.next(6))"
                    let key = "k\(order)"
                    try await store.recordDead(newDelivery(key, conversation: conversation), status: nil, error: "voice", now: now)
                    var c = Call(conversation: conversation, due: clock, order: order)
                    c.pending = false
                    calls["ch1:\(key)"] = c
                    order += 1
                case 92..<96:
                    let next = try await store.nextDue(after: now)
                    if let soonest = heads().map(\.1.due).filter({ $0 > clock }).min() {
                        #expect(
                            next != nil && next!.timeIntervalSince1970 <= soonest + 1e-6,
                            "step \(step): nextDue \(String(describing: next)), a head is due at \(soonest)")
                    }
                default:
                    clock += Double(rng.next(6))
                }
            }
            #expect(claimedCount > 50, "the sequence claimed \(claimedCount) calls")
            // Another process opens the same data: the same heads are claimable (leases of the old one are dropped on SQLite).
            _ = try await reopen()
        }
    }
}

/// A small deterministic generator, so that a failing sequence can be run again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
