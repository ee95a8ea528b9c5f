import Foundation
import GRDB
import GangwayCore

extension SQLiteDeliveryStore {
    // MARK: Rows

    static func delivery(_ row: Row) -> Delivery {
        Delivery(
            id: row["id"], key: row["key"], channel: row["channel"], provider: row["provider"], conversation: row["conversation"],
            chatbotId: row["chatbot_id"], kind: InboundCall.Kind(rawValue: row["kind"]) ?? .handle, envelope: row["envelope"],
            state: DeliveryState(rawValue: row["state"]), attempts: row["attempts"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), queuedAt: Date(timeIntervalSince1970: row["queued_at"]),
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]), lastStatus: row["last_status"],
            lastError: row["last_error"], deliveredAt: (row["delivered_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            traceContext: row["trace_context"])
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
