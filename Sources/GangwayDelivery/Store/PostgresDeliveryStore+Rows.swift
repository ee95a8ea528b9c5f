import Foundation
import GangwayCore
import PostgresNIO

extension PostgresDeliveryStore {
    static func delivery(_ row: PostgresRow) throws -> Delivery {
        let r = row.makeRandomAccess()
        return Delivery(
            id: try r["id"].decode(Int64.self), key: try r["key"].decode(String.self), channel: try r["channel"].decode(String.self),
            provider: try r["provider"].decode(String.self), conversation: try r["conversation"].decode(String.self),
            chatbotId: try r["chatbot_id"].decode(String.self),
            kind: InboundCall.Kind(rawValue: try r["kind"].decode(String.self)) ?? .handle, envelope: try r["envelope"].decode(Data.self),
            state: DeliveryState(rawValue: try r["state"].decode(String.self)), attempts: Int(try r["attempts"].decode(Int64.self)),
            createdAt: Date(timeIntervalSince1970: try r["created_at"].decode(Double.self)),
            queuedAt: Date(timeIntervalSince1970: try r["queued_at"].decode(Double.self)),
            nextAttemptAt: Date(timeIntervalSince1970: try r["next_attempt_at"].decode(Double.self)),
            lastStatus: try r["last_status"].decode(Int64?.self).map(Int.init), lastError: try r["last_error"].decode(String?.self),
            deliveredAt: try r["delivered_at"].decode(Double?.self).map { Date(timeIntervalSince1970: $0) },
            traceContext: try r["trace_context"].decode(String?.self))
    }
}
