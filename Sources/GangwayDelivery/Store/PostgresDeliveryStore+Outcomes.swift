import Foundation
import Logging
import PostgresNIO

/// What an attempt's outcome writes: a delivered call in a group commit with the others waiting
/// (``PostgresOutcomeBatcher``), a retry, a hand-back or a dead letter on its own.
extension PostgresDeliveryStore {
    /// A delivered call waiting for its statement.
    struct Delivered: Sendable, Identifiable {
        var id: Int64
        var status: Int64
        /// When it was delivered (seconds since 1970).
        var time: Double
    }

    /// Joins the delivered outcomes of other calls waiting: one statement, one commit for all.
    public func markDelivered(id: Int64, status: Int, now: Date) async throws {
        try await deliveredBatcher.perform(Delivered(id: id, status: Int64(status), time: now.timeIntervalSince1970))
    }

    /// One statement for many delivered calls (distinct ids), their status and time through
    /// `unnest`, atomic on its own; with one row it is the single update it replaces.
    static func markDelivered(client: PostgresClient, table: String, logger: Logger) -> PostgresOutcomeBatcher<Delivered>.Write {
        { rows in
            let ids = rows.map(\.id)
            let statuses = rows.map(\.status)
            let times = rows.map(\.time)
            let q: PostgresQuery = """
                UPDATE \(unescaped: table) AS d SET state = 'delivered', attempts = d.attempts + 1, lease_until = NULL, last_status = u.status,
                    last_error = NULL, delivered_at = u.ts
                FROM unnest(\(ids)::bigint[], \(statuses)::bigint[], \(times)::float8[]) AS u(id, status, ts)
                WHERE d.id = u.id
                """
            try await withTimeout(operationTimeout) {
                for try await _ in try await client.query(q, logger: logger) {}
            }
        }
    }

    /// Whether a failed statement may have failed for one of its rows, so that each row on its own
    /// may succeed: the database refused it. A timeout or a lost connection fails every row alike.
    @Sendable static func aRowMayBeTheCause(_ error: any Error) -> Bool {
        (error as? PSQLError)?.code == .server
    }

    /// As in the SQLite store, the conversation's later calls move up to the head's next attempt.
    public func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws {
        try await query(
            """
            UPDATE \(unescaped: table) SET attempts = attempts + 1, lease_until = NULL, last_status = \(status.map(Int64.init)),
                last_error = \(error), next_attempt_at = \(nextAttemptAt.timeIntervalSince1970) WHERE id = \(id) AND state = 'pending'
            """, logger: logger)
        let t = nextAttemptAt.timeIntervalSince1970
        try await query(
            """
            UPDATE \(unescaped: table) SET next_attempt_at = \(t)
            WHERE conversation = (SELECT conversation FROM \(unescaped: table) WHERE id = \(id)) AND state = 'pending' AND id > \(id)
              AND next_attempt_at < \(t)
            """, logger: logger)
    }

    /// Two statements for all the calls handed back (a breaker may hand back hundreds at once): the
    /// calls, then the later calls of their conversations, which are not due before their head.
    public func postpone(ids: [Int64], until: Date) async throws {
        guard !ids.isEmpty else { return }
        let t = until.timeIntervalSince1970
        try await query(
            "UPDATE \(unescaped: table) SET lease_until = NULL, next_attempt_at = \(t) WHERE id = ANY(\(ids)) AND state = 'pending'",
            logger: logger)
        try await query(
            """
            UPDATE \(unescaped: table) x SET next_attempt_at = \(t)
            FROM (SELECT conversation, MIN(id) AS id FROM \(unescaped: table) WHERE id = ANY(\(ids)) GROUP BY conversation) p
            WHERE x.conversation = p.conversation AND x.state = 'pending' AND x.id > p.id AND x.next_attempt_at < \(t)
            """, logger: logger)
    }

    public func markDead(id: Int64, status: Int?, error: String, now: Date) async throws {
        try await query(
            """
            UPDATE \(unescaped: table) SET state = 'dead', attempts = attempts + 1, lease_until = NULL, last_status = \(status.map(Int64.init)),
                last_error = \(error) WHERE id = \(id) AND state = 'pending'
            """, logger: logger)
    }
}
