import Foundation
import GRDB
import GangwayCore
import Synchronization

/// The embedded store: one SQLite file through GRDB, WAL with synchronous commits.
///
/// Concurrent webhooks share one commit (group commit): the first caller to find no commit
/// running becomes the leader and writes every batch that queued up meanwhile in one
/// transaction, so one fsync covers many webhooks.
public final class SQLiteDeliveryStore: DeliveryStore {
    let pool: DatabasePool
    let batcher: WriteBatcher
    private let checkpointer: Checkpointer
    /// Whether the schema has `trace_context` (v4): false only while a test holds the schema at
    /// an earlier migration, so that what it writes is what that version wrote.
    let hasTraceContext = Atomic<Bool>(true)

    /// Opens (and creates) the database file.
    /// - Parameter path: the file; its folder is created when missing.
    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // An acknowledged webhook must survive a power cut: fsync at every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: config)
        var checkpointConfig = Configuration()
        checkpointConfig.busyMode = .timeout(10)
        checkpointConfig.label = "gangway.checkpoint"
        checkpointer = Checkpointer(connection: try DatabaseQueue(path: path, configuration: checkpointConfig))
        batcher = WriteBatcher(pool: pool, checkpointer: checkpointer)
    }

    public func prepare() async throws { try await prepare(upTo: nil) }

    /// `upTo` names the last migration to apply (tests of the migrations); nil applies them all.
    func prepare(upTo lastMigration: String?) async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-deliveries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        key TEXT NOT NULL UNIQUE,
                        channel TEXT NOT NULL,
                        provider TEXT NOT NULL,
                        conversation TEXT NOT NULL,
                        chatbot_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        envelope BLOB NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL,
                        queued_at REAL NOT NULL,
                        next_attempt_at REAL NOT NULL,
                        lease_until REAL,
                        last_status INTEGER,
                        last_error TEXT,
                        delivered_at REAL
                    );
                    CREATE INDEX deliveries_conversation_pending ON deliveries(conversation, id) WHERE state = 'pending';
                    CREATE INDEX deliveries_due ON deliveries(next_attempt_at, id) WHERE state = 'pending';
                    CREATE INDEX deliveries_state_id ON deliveries(state, id);
                    CREATE INDEX deliveries_channel_state ON deliveries(channel, state, id);
                    """)
        }
        migrator.registerMigration("v2-conversation-heads") { db in
            // Each conversation's head (its oldest pending call, the only one that may be claimed)
            // with its due time, kept by triggers in the same transaction as every change. The claim
            // walks heads only, never the calls waiting behind them. Every lookup of a conversation's
            // calls names its index: without statistics SQLite's planner prefers (state, id) and
            // walks the pending calls of every conversation. (Benchmarks/README.md, "Why the code is
            // as it is".)
            try db.execute(
                sql: """
                    CREATE TABLE delivery_heads (
                        conversation TEXT PRIMARY KEY,
                        id INTEGER NOT NULL,
                        due REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX delivery_heads_due ON delivery_heads(due, id);
                    INSERT INTO delivery_heads (conversation, id, due)
                        SELECT d.conversation, d.id, d.next_attempt_at FROM deliveries d INDEXED BY deliveries_conversation_pending
                        WHERE d.state = 'pending'
                          AND d.id = (SELECT MIN(p.id) FROM deliveries p INDEXED BY deliveries_conversation_pending
                                      WHERE p.conversation = d.conversation AND p.state = 'pending');
                    -- A new pending call is its conversation's head when it has none (ids only grow).
                    CREATE TRIGGER delivery_heads_insert AFTER INSERT ON deliveries WHEN NEW.state = 'pending'
                    BEGIN
                        INSERT OR IGNORE INTO delivery_heads (conversation, id, due) VALUES (NEW.conversation, NEW.id, NEW.next_attempt_at);
                    END;
                    -- A call leaves or re-enters the pending state: the conversation's head is found again.
                    CREATE TRIGGER delivery_heads_state AFTER UPDATE OF state ON deliveries WHEN OLD.state IS NOT NEW.state
                    BEGIN
                        \(Self.findHead(of: "NEW"))
                    END;
                    -- A pending head's next attempt moves (a retry): so does its due time.
                    CREATE TRIGGER delivery_heads_due_time AFTER UPDATE OF next_attempt_at ON deliveries
                    WHEN OLD.state = 'pending' AND NEW.state = 'pending'
                    BEGIN
                        UPDATE delivery_heads SET due = NEW.next_attempt_at WHERE conversation = NEW.conversation AND id = NEW.id;
                    END;
                    CREATE TRIGGER delivery_heads_delete AFTER DELETE ON deliveries WHEN OLD.state = 'pending'
                    BEGIN
                        \(Self.findHead(of: "OLD"))
                    END;
                    -- Neither the claim nor nextDue reads the due index of all pending calls any more.
                    DROP INDEX deliveries_due;
                    """)
        }
        // What adapters remember between the requests of a conversation (AdapterMemory).
        migrator.registerMigration("v3-adapter-memory") { db in
            try db.execute(sql: "CREATE TABLE adapter_memory (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, expires_at REAL NOT NULL)")
        }
        // The trace context of the webhook that produced each call (CallTracing); older calls have none.
        migrator.registerMigration("v4-trace-context") { db in
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN trace_context TEXT")
        }
        if let lastMigration { try migrator.migrate(pool, upTo: lastMigration) } else { try migrator.migrate(pool) }
        let columns = try await pool.read { db in try db.columns(in: "deliveries").map(\.name) }
        hasTraceContext.store(columns.contains("trace_context"), ordering: .relaxed)
        // One process owns this file: whatever a previous run held in flight is due again now.
        try await pool.write { db in
            try db.execute(sql: "UPDATE deliveries SET lease_until = NULL WHERE lease_until IS NOT NULL")
        }
    }

    /// The trigger statements that find a conversation's head again (`row`: NEW or OLD), through its
    /// per-conversation index.
    private static func findHead(of row: String) -> String {
        """
        DELETE FROM delivery_heads WHERE conversation = \(row).conversation;
        INSERT INTO delivery_heads (conversation, id, due)
            SELECT conversation, id, next_attempt_at FROM deliveries INDEXED BY deliveries_conversation_pending
            WHERE conversation = \(row).conversation AND state = 'pending' ORDER BY id LIMIT 1;
        """
    }

    public func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome {
        if calls.isEmpty { return EnqueueOutcome(stored: 0, duplicates: 0) }
        let traced = hasTraceContext.load(ordering: .relaxed)
        return try await batcher.perform(timed: true) { db in try Self.insert(calls, now: now, traced: traced, db: db) }
    }

    public func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws {
        let t = now.timeIntervalSince1970
        let traced = hasTraceContext.load(ordering: .relaxed)
        try await pool.write { db in
            var values: [(any DatabaseValueConvertible)?] = [
                call.key, call.channel, call.provider, call.conversation, call.chatbotId, call.kind.rawValue, call.envelope, t, t, t, status, error,
            ]
            if traced { values.append(call.traceContext) }
            try db.execute(
                sql: """
                    INSERT INTO deliveries (key, channel, provider, conversation, chatbot_id, kind, envelope, state, attempts,
                        created_at, queued_at, next_attempt_at, last_status, last_error\(traced ? ", trace_context" : ""))
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'dead', 1, ?, ?, ?, ?, ?\(traced ? ", ?" : ""))
                    ON CONFLICT(key) DO UPDATE SET state = 'dead', last_status = excluded.last_status, last_error = excluded.last_error
                    """,
                arguments: StatementArguments(values))
        }
    }

    /// Walks the conversations' heads in due order (`delivery_heads`, kept by triggers): only a head
    /// may be claimed, so no call waiting behind its head is ever looked at.
    public func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery] {
        try await claim(limit: limit, now: now, lease: lease, excludingChannels: [])
    }

    public func claim(limit: Int, now: Date, lease: Double, excludingChannels: Set<String>) async throws -> [Delivery] {
        guard limit > 0 else { return [] }
        let t = now.timeIntervalSince1970
        let excluded = excludingChannels.sorted()
        let columns = Self.columns("d.", traced: hasTraceContext.load(ordering: .relaxed))
        return try await batcher.perform { db in
            // Excluded channels' heads are walked over (no write), never claimed.
            let filter = excluded.isEmpty ? "" : "AND d.channel NOT IN (\(Array(repeating: "?", count: excluded.count).joined(separator: ",")))"
            let sql = """
                SELECT \(columns) FROM delivery_heads h INDEXED BY delivery_heads_due JOIN deliveries d ON d.id = h.id
                WHERE h.due <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) \(filter)
                ORDER BY h.due, h.id
                LIMIT ?
                """
            var arguments: StatementArguments = [t, t]
            for channel in excluded { arguments += [channel] }
            arguments += [limit]
            let rows = try Row.fetchAll(excluded.isEmpty ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: arguments)
            let deliveries = rows.map(Self.delivery)
            let setLease = try db.cachedStatement(sql: "UPDATE deliveries SET lease_until = ? WHERE id = ?")
            for d in deliveries {
                try setLease.execute(arguments: [t + lease, d.id])
            }
            return deliveries
        }
    }

    public func renew(ids: [Int64], until: Date) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE deliveries SET lease_until = ? WHERE id = ? AND state = 'pending'")
            for id in ids { try statement.execute(arguments: [until.timeIntervalSince1970, id]) }
        }
    }

    public func postpone(ids: [Int64], until: Date) async throws {
        guard !ids.isEmpty else { return }
        try await batcher.perform { db in
            // The head trigger moves the conversation's due time along with next_attempt_at.
            let statement = try db.cachedStatement(
                sql: "UPDATE deliveries SET lease_until = NULL, next_attempt_at = ? WHERE id = ? AND state = 'pending'")
            for id in ids { try statement.execute(arguments: [until.timeIntervalSince1970, id]) }
        }
    }

    /// Every outcome's statement is prepared once per connection (`cachedStatement`): preparing an
    /// update of `deliveries` compiles the heads triggers into it, and GRDB records the tables and
    /// columns it touches; done per call, that was about a fifth of the gateway's CPU per delivered
    /// call (Benchmarks/README.md, "Why the code is as it is").
    public func markDelivered(id: Int64, status: Int, now: Date) async throws {
        try await batcher.perform { db in
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, lease_until = NULL, last_status = ?,
                        last_error = NULL, delivered_at = ? WHERE id = ?
                    """
            ).execute(arguments: [status, now.timeIntervalSince1970, id])
        }
    }

    /// The conversation's later calls wait behind their head: their `next_attempt_at` moves up to the
    /// head's, so that nothing that walks due calls in time order walks past them on every pass.
    public func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws {
        try await batcher.perform { db in
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET attempts = attempts + 1, lease_until = NULL, last_status = ?, last_error = ?,
                        next_attempt_at = ? WHERE id = ? AND state = 'pending'
                    """
            ).execute(arguments: [status, error, nextAttemptAt.timeIntervalSince1970, id])
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries INDEXED BY deliveries_conversation_pending SET next_attempt_at = ?
                    WHERE conversation = (SELECT conversation FROM deliveries WHERE id = ?) AND state = 'pending' AND id > ?
                      AND next_attempt_at < ?
                    """
            ).execute(arguments: [nextAttemptAt.timeIntervalSince1970, id, id, nextAttemptAt.timeIntervalSince1970])
        }
    }

    public func markDead(id: Int64, status: Int?, error: String, now: Date) async throws {
        try await batcher.perform { db in
            try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = 'dead', attempts = attempts + 1, lease_until = NULL, last_status = ?,
                        last_error = ? WHERE id = ? AND state = 'pending'
                    """
            ).execute(arguments: [status, error, id])
        }
    }

    public func nextDue(after: Date) async throws -> Date? {
        try await pool.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT due FROM delivery_heads INDEXED BY delivery_heads_due WHERE due > ? ORDER BY due LIMIT 1",
                arguments: [after.timeIntervalSince1970]
            ).map { Date(timeIntervalSince1970: $0) }
        }
    }

    public func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery] {
        let columns = Self.columns(traced: hasTraceContext.load(ordering: .relaxed))
        return try await pool.read { db in
            var sql = "SELECT \(columns) FROM deliveries WHERE 1 = 1"
            var args: [any DatabaseValueConvertible] = []
            if let state {
                sql += " AND state = ?"
                args.append(state.rawValue)
            }
            if let channel {
                sql += " AND channel = ?"
                args.append(channel)
            }
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(max(0, limit))
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.delivery)
        }
    }

    public func get(id: Int64) async throws -> Delivery? {
        let columns = Self.columns(traced: hasTraceContext.load(ordering: .relaxed))
        return try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(columns) FROM deliveries WHERE id = ?", arguments: [id]).map(Self.delivery)
        }
    }

    public func replay(id: Int64, now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = 'pending', attempts = 0, queued_at = ?, next_attempt_at = ?, lease_until = NULL
                    WHERE id = ? AND state = 'dead'
                    """,
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            return db.changesCount
        }
    }

    public func replayAll(channel: String?, now: Date) async throws -> Int {
        try await pool.write { db in
            var sql = """
                UPDATE deliveries SET state = 'pending', attempts = 0, queued_at = ?, next_attempt_at = ?, lease_until = NULL
                WHERE state = 'dead'
                """
            var args: [any DatabaseValueConvertible] = [now.timeIntervalSince1970, now.timeIntervalSince1970]
            if let channel {
                sql += " AND channel = ?"
                args.append(channel)
            }
            try db.execute(sql: sql, arguments: StatementArguments(args))
            return db.changesCount
        }
    }

    public func purgeDead(olderThan: Date?) async throws -> Int {
        try await pool.write { db in
            if let olderThan {
                try db.execute(
                    sql: "DELETE FROM deliveries WHERE state = 'dead' AND created_at < ?", arguments: [olderThan.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM deliveries WHERE state = 'dead'")
            }
            return db.changesCount
        }
    }

    /// Also forgets adapter memory that has expired (the same housekeeping pass).
    public func expireDelivered(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM adapter_memory WHERE expires_at < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: "DELETE FROM deliveries WHERE state = 'delivered' AND delivered_at < ?", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func statistics() async throws -> StoreStatistics {
        try await pool.read { db in
            var stats = StoreStatistics()
            let sql = "SELECT channel, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries GROUP BY channel, state"
            for row in try Row.fetchAll(db, sql: sql) {
                let channel: String = row["channel"]
                let state = DeliveryState(rawValue: row["state"])
                let n: Int = row["n"]
                stats.perChannel[channel, default: [:]][state] = n
                if state == .pending, let oldest: Double = row["oldest"] {
                    stats.oldestPendingPerChannel[channel] = Date(timeIntervalSince1970: oldest)
                }
                switch state {
                case .pending: stats.pending += n
                case .dead: stats.dead += n
                default: stats.delivered += n
                }
            }
            // The oldest pending call is the one with the lowest id (ids grow with time).
            stats.oldestPendingCreatedAt = try Double.fetchOne(
                db, sql: "SELECT created_at FROM deliveries INDEXED BY deliveries_state_id WHERE state = 'pending' ORDER BY id LIMIT 1"
            )
            .map { Date(timeIntervalSince1970: $0) }
            return stats
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
