import Foundation
import GangwayCore

extension Delivery {
    /// The JSON of one call, the same for `GET /admin/deliveries/{id}` and `gangway deliveries show`.
    public var json: JSONValue {
        func date(_ d: Date?) -> JSONValue { d.map { .string($0.formatted(.iso8601)) } ?? .null }
        return .object([
            ("id", .number(String(id))),
            ("channel", .string(channel)),
            ("provider", .string(provider)),
            ("kind", .string(kind.rawValue)),
            ("state", .string(state.rawValue)),
            ("attempts", .number(String(attempts))),
            ("lastStatus", .from(lastStatus)),
            ("lastError", .from(lastError)),
            ("idempotencyKey", .string(key)),
            ("createdAt", date(createdAt)),
            ("queuedAt", date(queuedAt)),
            ("nextAttemptAt", state == .pending ? date(nextAttemptAt) : .null),
            ("deliveredAt", date(deliveredAt)),
            ("envelope", (try? JSONValue.parse(Array(envelope))) ?? .string(String(decoding: envelope, as: UTF8.self))),
        ])
    }

    /// One line for `gangway deliveries list`: the id first.
    public var summaryLine: String {
        let created = createdAt.formatted(.iso8601)
        let status = lastStatus.map(String.init) ?? "-"
        return "\(id)\t\(state.rawValue)\t\(channel)\t\(kind.rawValue)\tattempts=\(attempts)\tstatus=\(status)\t\(created)\t\(key)"
            + (lastError.map { "\t\($0)" } ?? "")
    }
}
