import Foundation
import GRDB
import GangwayCore

extension SQLiteDeliveryStore {
    // MARK: Rows

    /// The columns every read of whole calls selects, in the order ``delivery(_:)`` reads them by
    /// position (`prefix`: a table alias and its dot; without `trace_context`, NULL in its place).
    /// Looking a column up by name lowercases the name on every row (GRDB), which was a visible
    /// share of the commit thread's time in the claim while delivering.
    static func columns(_ prefix: String = "", traced: Bool) -> String {
        let names = [
            "id", "key", "channel", "provider", "conversation", "chatbot_id", "kind", "envelope", "state", "attempts", "created_at",
            "queued_at", "next_attempt_at", "last_status", "last_error", "delivered_at",
        ]
        return names.map { prefix + $0 }.joined(separator: ", ") + (traced ? ", \(prefix)trace_context" : ", NULL")
    }

    /// A row of ``columns(_:traced:)``.
    static func delivery(_ row: Row) -> Delivery {
        Delivery(
            id: row[0], key: row[1], channel: row[2], provider: row[3], conversation: row[4],
            chatbotId: row[5], kind: InboundCall.Kind(rawValue: row[6]) ?? .handle, envelope: row[7],
            state: DeliveryState(rawValue: row[8]), attempts: row[9],
            createdAt: Date(timeIntervalSince1970: row[10]), queuedAt: Date(timeIntervalSince1970: row[11]),
            nextAttemptAt: Date(timeIntervalSince1970: row[12]), lastStatus: row[13],
            lastError: row[14], deliveredAt: (row[15] as Double?).map { Date(timeIntervalSince1970: $0) },
            traceContext: row[16])
    }

    /// - Parameter traced: the schema has `trace_context` (``hasTraceContext``).
    static func insert(_ calls: [NewDelivery], now: Date, traced: Bool = true, db: Database) throws -> EnqueueOutcome {
        var stored = 0
        let t = now.timeIntervalSince1970
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (key, channel, provider, conversation, chatbot_id, kind, envelope, state, created_at,
                    queued_at, next_attempt_at\(traced ? ", trace_context" : ""))
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?\(traced ? ", ?" : ""))
                ON CONFLICT(key) DO NOTHING
                """)
        for c in calls {
            try statement.execute(
                arguments: [c.key, c.channel, c.provider, c.conversation, c.chatbotId, c.kind.rawValue, c.envelope, t, t, t] + (traced ? [c.traceContext] : []))
            stored += db.changesCount
        }
        return EnqueueOutcome(stored: stored, duplicates: calls.count - stored)
    }
}
