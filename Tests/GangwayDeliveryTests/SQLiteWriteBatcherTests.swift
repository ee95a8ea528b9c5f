import Foundation
import GRDB
import Testing

@testable import GangwayDelivery

/// The SQLite group commit: an operation that fails leaves nothing behind (its savepoint rolls
/// back) and never undoes the others committed with it.
@Suite struct SQLiteWriteBatcherTests {
    struct Refused: Error {}

    private func batcher() throws -> (WriteBatcher, DatabasePool) {
        let path = NSTemporaryDirectory() + "gangway-batcher-\(UUID().uuidString).sqlite"
        let pool = try DatabasePool(path: path)
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        return (WriteBatcher(pool: pool, checkpointer: Checkpointer(connection: try DatabaseQueue(path: path))), pool)
    }

    @Test func aLoneOperationThatFailsLeavesNothing() async throws {
        let (batcher, pool) = try batcher()
        await #expect(throws: Refused.self) {
            try await batcher.perform { db in
                try db.execute(sql: "INSERT INTO t (n) VALUES (1)")
                throw Refused()
            }
        }
        let stored = try await batcher.perform { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") }
        #expect(stored == 0)
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 0)
    }

    @Test func failingOperationsAmongOthersLeaveOnlyTheOthers() async throws {
        let (batcher, pool) = try batcher()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        try await batcher.perform { db in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n % 5 == 0 { throw Refused() }
                        }
                        #expect(n % 5 != 0)
                    } catch is Refused {
                        #expect(n % 5 == 0)
                    }
                }
            }
            try await group.waitForAll()
        }
        let stored = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<200).filter { $0 % 5 != 0 })
    }
}
