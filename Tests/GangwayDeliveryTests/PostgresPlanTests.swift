import Foundation
import Logging
import PostgresNIO
import Testing

@testable import GangwayDelivery

/// The queue's functions on PostgreSQL (`PostgresDeliveryStore+Functions.swift`) keep their plans
/// for the session, and those plans must not depend on statistics: a session that planned its
/// enqueue and claim while the table was nearly empty goes on walking indexes once it holds
/// thousands of pending calls, before autovacuum has analyzed anything.
@Suite(.enabled(if: StoreEngine.available.contains(.postgres)))
struct PostgresPlanTests {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private var logger: Logger {
        var l = Logger(label: "pg-plan-test")
        l.logLevel = .warning
        return l
    }

    @Test func plansMadeOnANearlyEmptyTableNeverScanIt() async throws {
        let logger = self.logger
        let t0 = self.t0
        try await StoreFactory.with(.postgres) { anyStore, _ in
            let store = try #require(anyStore as? PostgresDeliveryStore)
            let t = store.table
            for name in [t, "\(t)_heads"] {
                try await store.client.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(name) SET (autovacuum_enabled = false)"), logger: logger)
            }
            try await store.client.withConnection { session in
                func enqueue(_ key: String, conversation: String) async throws {
                    try await session.query(
                        """
                        SELECT key FROM \(unescaped: t)_enqueue(ARRAY[\(key)], ARRAY['ch1'], ARRAY['test'], ARRAY[\(conversation)],
                            ARRAY['bot'], ARRAY['handle'], ARRAY['\\x7b7d'::bytea], ARRAY[''], ARRAY[\(t0.timeIntervalSince1970)]) AS key
                        """, logger: logger)
                }
                func claim() async throws -> Int {
                    var n = 0
                    let rows = try await session.query(
                        "SELECT id FROM \(unescaped: t)_claim(\(t0.timeIntervalSince1970), \(t0.timeIntervalSince1970 + 60), 2, '{}'::text[])",
                        logger: logger)
                    for try await _ in rows { n += 1 }
                    return n
                }
                // More than five calls each: PL/pgSQL then keeps a generic plan, made on these sizes.
                for i in 0..<8 {
                    try await enqueue("ch1:small-\(i)", conversation: "S\(i)")
                    _ = try await claim()
                }
                // Thousands of pending calls over many conversations, stored through the pool.
                for chunk in 0..<10 {
                    let calls = (0..<500).map { i in newDelivery("bulk-\(chunk)-\(i)", conversation: "B\(i % 200)") }
                    _ = try await store.enqueue(calls, now: t0)
                }
                try await session.query("BEGIN", logger: logger)
                try await enqueue("ch1:late", conversation: "B7")
                #expect(try await claim() == 2)
                var scanned: [String: Int64] = [:]
                var fetched: [String: Int64] = [:]
                let stats = try await session.query(
                    """
                    SELECT relname::text, COALESCE(seq_tup_read, 0), COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables
                    WHERE relname IN (\(t), \(t + "_heads"))
                    """, logger: logger)
                for try await (name, seq, index) in stats.decode((String, Int64, Int64).self) {
                    scanned[name] = seq
                    fetched[name] = index
                }
                try await session.query("ROLLBACK", logger: logger)
                #expect(scanned[t, default: 0] == 0, "the calls' table was read by a sequential scan: \(scanned)")
                #expect(scanned["\(t)_heads", default: 0] == 0, "the heads table was read by a sequential scan: \(scanned)")
                // Nor walked whole through an index: one enqueue and one claim of two fetch a few rows,
                // not the 5,000 calls or 200 heads.
                #expect(fetched[t, default: 0] < 100, "the calls' table was walked through an index: \(fetched)")
                #expect(fetched["\(t)_heads", default: 0] < 100, "the heads table was walked through an index: \(fetched)")
            }
        }
    }
}
