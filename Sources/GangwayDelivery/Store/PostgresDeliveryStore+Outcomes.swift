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

    /// One statement for many delivered calls (distinct ids), their status and time
    /// (`<table>_delivered`), atomic on its own; with one row it is the single update it replaces.
    static func markDelivered(client: PostgresClient, table: String, logger: Logger) -> PostgresOutcomeBatcher<Delivered>.Write {
        { rows in
            let ids = rows.map(\.id)
            let statuses = rows.map(\.status)
            let times = rows.map(\.time)
            let q: PostgresQuery = "SELECT \(unescaped: table)_delivered(\(ids)::bigint[], \(statuses)::bigint[], \(times)::float8[])"
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
            "SELECT \(unescaped: table)_retry(\(id), \(status.map(Int64.init))::bigint, \(error), \(nextAttemptAt.timeIntervalSince1970))",
            logger: logger)
    }

    /// One round trip for all the calls handed back (a breaker may hand back hundreds at once): the
    /// calls, then the later calls of their conversations, which are not due before their head.
    public func postpone(ids: [Int64], until: Date) async throws {
        guard !ids.isEmpty else { return }
        try await query("SELECT \(unescaped: table)_postpone(\(ids)::bigint[], \(until.timeIntervalSince1970))", logger: logger)
    }

    public func markDead(id: Int64, status: Int?, error: String, now: Date) async throws {
        try await query(
            """
            UPDATE \(unescaped: table) SET state = 'dead', attempts = attempts + 1, lease_until = NULL, last_status = \(status.map(Int64.init)),
                last_error = \(error) WHERE id = \(id) AND state = 'pending'
            """, logger: logger)
    }
}
