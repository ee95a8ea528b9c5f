import Foundation
import GangwayCore
import Synchronization
import Testing

@testable import GangwayDelivery

/// PostgreSQL's group commit of delivered outcomes, without a database: concurrent callers share
/// statements, each returns once its own row's statement committed, and a statement that fails is
/// retried row by row. Then the same through the store on a real database, when there is one.
@Suite struct PostgresOutcomeBatcherTests {
    struct Row: Sendable, Identifiable {
        var id: Int64
        var status: Int64
    }

    /// A write that remembers its statements and the rows it committed (the status of each id's
    /// last write, and how many writes each id had); it fails any statement carrying an id of
    /// `bad`, and with `lost`, fails every statement as a lost connection would.
    final class FakeTable: Sendable {
        struct Refused: Error {}
        struct Lost: Error {}
        let committed = Mutex<[Int64: Int64]>([:])
        let writes = Mutex<[Int64: Int]>([:])
        let statements = Mutex<[[Int64]]>([])
        let bad: Set<Int64>
        let lost: Bool

        init(bad: Set<Int64> = [], lost: Bool = false) {
            self.bad = bad
            self.lost = lost
        }

        func write(_ rows: [Row]) async throws {
            statements.withLock { $0.append(rows.map(\.id)) }
            try await Task.sleep(for: .milliseconds(rows.contains { $0.id == 1_000 } ? 100 : 2))
            if lost { throw Lost() }
            if rows.contains(where: { bad.contains($0.id) }) { throw Refused() }
            committed.withLock { c in for r in rows { c[r.id] = r.status } }
            writes.withLock { w in for r in rows { w[r.id, default: 0] += 1 } }
        }
    }

    @Test func concurrentCallersShareStatementsAndEachReturnsAfterItsCommit() async throws {
        let table = FakeTable()
        let batcher = PostgresOutcomeBatcher<Row>(write: table.write)
        let seen = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<600 {
                group.addTask {
                    try await batcher.perform(Row(id: Int64(i), status: Int64(200 + i % 3)))
                    // Returned: its row is committed already.
                    return table.committed.withLock { $0[Int64(i)] == Int64(200 + i % 3) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(seen.count == 600)
        #expect(seen.allSatisfy { $0 })
        #expect(table.committed.withLock { $0.count } == 600)
        let statements = table.statements.withLock { $0 }
        #expect(statements.count < 600 / 4, "callers waiting together share a statement (\(statements.count) statements)")
        #expect(statements.allSatisfy { $0.count <= batcher.maxRows })
        #expect(statements.flatMap { $0 }.count == 600, "each row written once")
    }

    @Test func aFailingStatementIsRetriedRowByRowAndOnlyTheBadRowFails() async throws {
        let table = FakeTable(bad: [13])
        let batcher = PostgresOutcomeBatcher<Row>(write: table.write)
        // A slow statement runs first, so that the four rows after it wait and share the next one.
        let first = Task { try await batcher.perform(Row(id: 1_000, status: 200)) }
        try await Task.sleep(for: .milliseconds(20))
        let results = await withTaskGroup(of: (Int64, Bool).self) { group in
            for id: Int64 in [11, 13, 14, 15] {
                group.addTask { (id, (try? await batcher.perform(Row(id: id, status: 200))) != nil) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        try await first.value
        #expect(results == [11: true, 13: false, 14: true, 15: true])
        #expect(Set(table.committed.withLock { $0.keys }) == [1_000, 11, 14, 15])
        let statements = table.statements.withLock { $0 }
        #expect(statements.contains { Set($0) == [11, 13, 14, 15] }, "the four shared a statement: \(statements)")
        #expect(statements.filter { $0 == [13] }.count == 1, "then each went alone: \(statements)")
        #expect(statements.filter { $0.count == 1 }.count == 5, "the slow one, then the four alone: \(statements)")
    }

    @Test func anErrorNoRowCausesFailsTheWholeBatchAtOnce() async throws {
        let table = FakeTable(lost: true)
        let batcher = PostgresOutcomeBatcher<Row>(retriesAlone: { !($0 is FakeTable.Lost) }, write: table.write)
        let first = Task { try? await batcher.perform(Row(id: 1_000, status: 200)) }
        try await Task.sleep(for: .milliseconds(20))
        let failures = await withTaskGroup(of: Bool.self) { group in
            for id: Int64 in 1...8 {
                group.addTask { (try? await batcher.perform(Row(id: id, status: 200))) == nil }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        await first.value
        #expect(failures == 8)
        let statements = table.statements.withLock { $0 }
        #expect(statements.count == 2, "no retry row by row for a lost connection: \(statements)")
    }

    @Test func twoOutcomesForOneIdGoInSeparateStatements() async throws {
        let table = FakeTable()
        let batcher = PostgresOutcomeBatcher<Row>(write: table.write)
        let first = Task { try await batcher.perform(Row(id: 1_000, status: 200)) }
        try await Task.sleep(for: .milliseconds(20))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (id, status): (Int64, Int64) in [(7, 200), (8, 200), (7, 201), (9, 200)] {
                group.addTask { try await batcher.perform(Row(id: id, status: status)) }
                // In this order: the second 7 arrives after the first.
                try await Task.sleep(for: .milliseconds(1))
            }
            try await group.waitForAll()
        }
        try await first.value
        #expect(table.writes.withLock { $0[7] } == 2, "each outcome applied")
        let statements = table.statements.withLock { $0 }
        #expect(statements.allSatisfy { Set($0).count == $0.count }, "no id twice in a statement: \(statements)")
    }

    @Test func theBoundSplitsABurst() async throws {
        let table = FakeTable()
        let batcher = PostgresOutcomeBatcher<Row>(maxRows: 16, write: table.write)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 { group.addTask { try await batcher.perform(Row(id: Int64(i), status: 200)) } }
            try await group.waitForAll()
        }
        let statements = table.statements.withLock { $0 }
        #expect(statements.allSatisfy { $0.count <= 16 })
        #expect(statements.flatMap { $0 }.count == 200)
    }

    /// The store's statement on a real database: many calls marked delivered at once, each with its
    /// own status and time, each row exactly as one update per call left it.
    @Test(.enabled(if: StoreEngine.available.contains(.postgres)))
    func concurrentDeliveredOutcomesOnPostgreSQL() async throws {
        try await StoreFactory.with(.postgres) { store, _ in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let calls = (0..<300).map { i in newDelivery("k\(i)", conversation: "C\(i)") }
            _ = try await store.enqueue(calls, now: t0)
            let claimed = try await store.claim(limit: 300, now: t0, lease: 60)
            #expect(claimed.count == 300)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, d) in claimed.enumerated() {
                    group.addTask {
                        try await store.markDelivered(id: d.id, status: 200 + n % 5, now: t0.addingTimeInterval(Double(n)))
                    }
                }
                try await group.waitForAll()
            }
            for (n, d) in claimed.enumerated() {
                let after = try #require(try await store.get(id: d.id))
                #expect(after.state == .delivered)
                #expect(after.attempts == 1)
                #expect(after.lastStatus == 200 + n % 5)
                #expect(after.lastError == nil)
                #expect(after.deliveredAt == t0.addingTimeInterval(Double(n)))
            }
            #expect(try await store.statistics().delivered == 300)
            #expect(try await store.claim(limit: 300, now: t0, lease: 60).isEmpty)
        }
    }
}
