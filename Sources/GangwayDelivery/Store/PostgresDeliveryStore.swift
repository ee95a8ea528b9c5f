import Foundation
import GangwayCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The store for several replicas: one PostgreSQL table shared by every gateway process.
///
/// Calls are claimed with `FOR UPDATE SKIP LOCKED` under a lease (renewed while in flight), so a
/// replica that dies hands its calls back when the lease ends, and only the head of a
/// conversation is ever claimable (heads kept by triggers, `PostgresDeliveryStore+Heads.swift`), so
/// no two replicas hold calls of one conversation at once.
/// Dedup is the table's unique key. The schema is created under an advisory lock, so replicas
/// starting together do not race. The `PostgresClient` must be running (it is a `Service`).
public final class PostgresDeliveryStore: DeliveryStore {
    public let client: PostgresClient
    let table: String
    let logger: Logger
    /// Concurrent webhooks share insert statements, two at most in flight (``PostgresEnqueueBatcher``).
    private let enqueueBatcher: PostgresEnqueueBatcher
    /// Concurrent delivered outcomes share one update statement (``PostgresOutcomeBatcher``).
    let deliveredBatcher: PostgresOutcomeBatcher<Delivered>

    /// - Parameters:
    ///   - client: a client whose `run()` is part of the service group.
    ///   - table: the table name (tests use one per test).
    public init(client: PostgresClient, table: String = "gangway_deliveries", logger: Logger) {
        self.client = client
        self.table = table
        self.logger = logger
        self.enqueueBatcher = PostgresEnqueueBatcher(
            retriesAlone: Self.aRowMayBeTheCause, insert: Self.insert(client: client, table: table, logger: logger))
        self.deliveredBatcher = PostgresOutcomeBatcher(
            retriesAlone: Self.aRowMayBeTheCause, write: Self.markDelivered(client: client, table: table, logger: logger))
    }

    // MARK: Schema

    public func prepare() async throws {
        // The database may not be up yet (replicas start together with it): wait for it, saying so.
        var delay = 0.5
        while true {
            do {
                try await query("SELECT 1", logger: logger, timeout: 5)
                break
            } catch {
                logger.warning("waiting for the database", metadata: ["gangway.error": "\(error)"])
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 10)
            }
        }
        let client = self.client
        let table = self.table
        let logger = self.logger
        try await Self.withTimeout(60) {
            try await client.withConnection { connection in
                // One replica at a time creates or upgrades the schema.
                try await connection.query("SELECT pg_advisory_lock(7031966)", logger: logger)
                do {
                    try await connection.query(
                        """
                        CREATE TABLE IF NOT EXISTS \(unescaped: table) (
                            id BIGSERIAL PRIMARY KEY,
                            key TEXT NOT NULL UNIQUE,
                            channel TEXT NOT NULL,
                            provider TEXT NOT NULL,
                            conversation TEXT NOT NULL,
                            chatbot_id TEXT NOT NULL,
                            kind TEXT NOT NULL,
                            envelope BYTEA NOT NULL,
                            state TEXT NOT NULL,
                            attempts BIGINT NOT NULL DEFAULT 0,
                            created_at DOUBLE PRECISION NOT NULL,
                            queued_at DOUBLE PRECISION NOT NULL,
                            next_attempt_at DOUBLE PRECISION NOT NULL,
                            lease_until DOUBLE PRECISION,
                            last_status BIGINT,
                            last_error TEXT,
                            delivered_at DOUBLE PRECISION
                        )
                        """, logger: logger)
                    // The trace context of the webhook that produced each call (CallTracing); older calls have none.
                    try await connection.query(
                        "ALTER TABLE \(unescaped: table) ADD COLUMN IF NOT EXISTS trace_context TEXT", logger: logger)
                    try await connection.query(
                        "CREATE INDEX IF NOT EXISTS \(unescaped: table)_conversation_pending ON \(unescaped: table) (conversation, id) WHERE state = 'pending'",
                        logger: logger)
                    try await connection.query(
                        "CREATE INDEX IF NOT EXISTS \(unescaped: table)_state_id ON \(unescaped: table) (state, id)", logger: logger)
                    try await connection.query(
                        "CREATE INDEX IF NOT EXISTS \(unescaped: table)_channel_state ON \(unescaped: table) (channel, state, id)", logger: logger)
                    // What adapters remember between the requests of a conversation (AdapterMemory), shared by replicas.
                    try await connection.query(
                        """
                        CREATE TABLE IF NOT EXISTS \(unescaped: table)_memory (
                            key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL)
                        """, logger: logger)
                    // Read by replicas of the previous version only (see prepareHeads).
                    try await connection.query(
                        "CREATE INDEX IF NOT EXISTS \(unescaped: table)_due ON \(unescaped: table) (next_attempt_at, id) WHERE state = 'pending'",
                        logger: logger)
                    try await Self.prepareHeads(connection, table: table, logger: logger)
                    for statement in Self.queueFunctions(table: table) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(7031966)", logger: logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(7031966)", logger: logger)
            }
        }
        // Unlike SQLite, other replicas may hold leases: they are handed back when they expire.
    }

    // MARK: Writes

    /// The calls of the webhooks waiting to be stored share a statement (``PostgresEnqueueBatcher``).
    public func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome {
        try await enqueueBatcher.enqueue(calls, now: now)
    }

    /// One statement for many calls (`<table>_enqueue`: arrays through `unnest`, in the order given),
    /// atomic on its own (no BEGIN/COMMIT round trips); returns the keys inserted.
    static func insert(client: PostgresClient, table: String, logger: Logger) -> PostgresEnqueueBatcher.Insert {
        { calls, times in
            let keys = calls.map(\.key)
            let channels = calls.map(\.channel)
            let providers = calls.map(\.provider)
            let conversations = calls.map(\.conversation)
            let chatbots = calls.map(\.chatbotId)
            let kinds = calls.map(\.kind.rawValue)
            let envelopes = calls.map { ByteBuffer(bytes: $0.envelope) }
            // No NULL inside a bound array here: an absent context travels as "" and is stored as NULL.
            let contexts = calls.map { $0.traceContext ?? "" }
            let q: PostgresQuery = """
                SELECT key FROM \(unescaped: table)_enqueue(\(keys)::text[], \(channels)::text[], \(providers)::text[],
                    \(conversations)::text[], \(chatbots)::text[], \(kinds)::text[], \(envelopes)::bytea[], \(contexts)::text[],
                    \(times)::float8[]) AS key
                """
            return try await withTimeout(operationTimeout) {
                var inserted: [String] = []
                for try await row in try await client.query(q, logger: logger) { inserted.append(try row.decode(String.self)) }
                return inserted
            }
        }
    }

    public func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws {
        let t = now.timeIntervalSince1970
        let status64 = status.map(Int64.init)
        try await query(
            """
            INSERT INTO \(unescaped: table) (key, channel, provider, conversation, chatbot_id, kind, envelope, state, attempts, created_at,
                queued_at, next_attempt_at, last_status, last_error, trace_context)
            VALUES (\(call.key), \(call.channel), \(call.provider), \(call.conversation), \(call.chatbotId), \(call.kind.rawValue),
                \(call.envelope), 'dead', 1, \(t), \(t), \(t), \(status64), \(error), \(call.traceContext))
            ON CONFLICT (key) DO UPDATE SET state = 'dead', last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error
            """, logger: logger)
    }

    public func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery] {
        try await claim(limit: limit, now: now, lease: lease, excludingChannels: [])
    }

    public func claim(limit: Int, now: Date, lease: Double, excludingChannels: Set<String>) async throws -> [Delivery] {
        guard limit > 0 else { return [] }
        let excluded = excludingChannels.sorted()
        let t = now.timeIntervalSince1970
        let until = t + lease
        // `<table>_claim` (PostgresDeliveryStore+Functions.swift) walks the heads in due order.
        let rows = try await query(
            "SELECT * FROM \(unescaped: table)_claim(\(t), \(until), \(Int64(limit)), \(excluded)::text[])", logger: logger)
        var out: [Delivery] = []
        for row in rows { out.append(try Self.delivery(row)) }
        return out.sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
    }

    public func renew(ids: [Int64], until: Date) async throws {
        guard !ids.isEmpty else { return }
        try await query("SELECT \(unescaped: table)_renew(\(ids)::bigint[], \(until.timeIntervalSince1970))", logger: logger)
    }

    // MARK: Reads and operations

    public func nextDue(after: Date) async throws -> Date? {
        let rows = try await query(
            "SELECT MIN(due) FROM \(unescaped: table)_heads WHERE id IS NOT NULL AND due > \(after.timeIntervalSince1970)",
            logger: logger)
        return try rows.first?.decode(Double?.self).map { Date(timeIntervalSince1970: $0) }
    }

    public func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery] {
        let rows = try await query(
            """
            SELECT * FROM \(unescaped: table)
            WHERE (\(state?.rawValue)::TEXT IS NULL OR state = \(state?.rawValue)) AND (\(channel)::TEXT IS NULL OR channel = \(channel))
            ORDER BY id DESC LIMIT \(Int64(max(0, limit)))
            """, logger: logger)
        var out: [Delivery] = []
        for row in rows { out.append(try Self.delivery(row)) }
        return out
    }

    public func get(id: Int64) async throws -> Delivery? {
        let rows = try await query("SELECT * FROM \(unescaped: table) WHERE id = \(id)", logger: logger)
        return try rows.first.map(Self.delivery)
    }

    public func replay(id: Int64, now: Date) async throws -> Int {
        let t = now.timeIntervalSince1970
        return try await count(
            """
            UPDATE \(unescaped: table) SET state = 'pending', attempts = 0, queued_at = \(t), next_attempt_at = \(t), lease_until = NULL
            WHERE id = \(id) AND state = 'dead' RETURNING 1
            """)
    }

    public func replayAll(channel: String?, now: Date) async throws -> Int {
        let t = now.timeIntervalSince1970
        return try await count(
            """
            UPDATE \(unescaped: table) SET state = 'pending', attempts = 0, queued_at = \(t), next_attempt_at = \(t), lease_until = NULL
            WHERE state = 'dead' AND (\(channel)::TEXT IS NULL OR channel = \(channel)) RETURNING 1
            """)
    }

    public func purgeDead(olderThan: Date?) async throws -> Int {
        let before = olderThan?.timeIntervalSince1970
        return try await count(
            """
            DELETE FROM \(unescaped: table) WHERE state = 'dead' AND (\(before)::DOUBLE PRECISION IS NULL OR created_at < \(before)) RETURNING 1
            """)
    }

    public func recall(keys: [String], now: Date) async throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        let rows = try await query(
            "SELECT key, value FROM \(unescaped: table)_memory WHERE key = ANY(\(keys)) AND expires_at > \(now.timeIntervalSince1970)",
            logger: logger)
        var found: [String: String] = [:]
        for row in rows {
            let (key, value) = try row.decode((String, String).self)
            found[key] = value
        }
        return found
    }

    public func remember(_ values: [String: String], expiresAt: Date) async throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try await query(
                """
                INSERT INTO \(unescaped: table)_memory (key, value, expires_at) VALUES (\(key), \(value), \(expiresAt.timeIntervalSince1970))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
                """, logger: logger)
        }
    }

    /// Also forgets adapter memory that has expired (the same housekeeping pass).
    public func expireDelivered(before: Date) async throws -> Int {
        try await query("DELETE FROM \(unescaped: table)_memory WHERE expires_at < \(Date().timeIntervalSince1970)", logger: logger)
        return try await count("DELETE FROM \(unescaped: table) WHERE state = 'delivered' AND delivered_at < \(before.timeIntervalSince1970) RETURNING 1")
    }

    public func statistics() async throws -> StoreStatistics {
        var stats = StoreStatistics()
        let rows = try await query("SELECT channel, state, COUNT(*), MIN(created_at) FROM \(unescaped: table) GROUP BY channel, state", logger: logger)
        for row in rows {
            let (channel, stateText, n, oldest) = try row.decode((String, String, Int64, Double?).self)
            let state = DeliveryState(rawValue: stateText)
            stats.perChannel[channel, default: [:]][state] = Int(n)
            if state == .pending, let oldest { stats.oldestPendingPerChannel[channel] = Date(timeIntervalSince1970: oldest) }
            switch state {
            case .pending: stats.pending += Int(n)
            case .dead: stats.dead += Int(n)
            default: stats.delivered += Int(n)
            }
        }
        let oldest = try await query("SELECT MIN(created_at) FROM \(unescaped: table) WHERE state = 'pending'", logger: logger)
        stats.oldestPendingCreatedAt = try oldest.first?.decode(Double?.self).map { Date(timeIntervalSince1970: $0) }
        return stats
    }

    public func ping() async throws {
        try await query("SELECT 1", logger: logger, timeout: 2)
    }

    // MARK: Plumbing

    /// How long one operation may wait (for a connection, or for the database) before it fails,
    /// so that a lost database turns into 503s and retries, never into requests that hang.
    public var operationTimeout: Double { Self.operationTimeout }
    static let operationTimeout: Double = 10

    /// Runs a statement and reads all its rows, both within the deadline (a connection lost while
    /// rows arrive must not hold the caller either).
    @discardableResult
    func query(_ q: PostgresQuery, logger: Logger, timeout: Double? = nil) async throws -> [PostgresRow] {
        let client = self.client
        return try await Self.withTimeout(timeout ?? operationTimeout) {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(q, logger: logger) { rows.append(row) }
            return rows
        }
    }

    // MARK: Rows

    /// The number of rows a writing statement (ending in `RETURNING 1`) touched, counted by the
    /// database so that a large purge does not bring its rows over.
    private func count(_ statement: PostgresQuery) async throws -> Int {
        var q = statement
        q.sql = "WITH touched AS (\(q.sql)) SELECT COUNT(*) FROM touched"
        let rows = try await query(q, logger: logger)
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

}
