import Foundation
import GRDB
import GangwayCore

/// Adapter memory (``AdapterMemoryStore``) in the table `adapter_memory` (migration v3).
extension SQLiteDeliveryStore {
    public func recall(keys: [String], now: Date) async throws -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            var arguments = StatementArguments(keys)
            arguments += [now.timeIntervalSince1970]
            let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM adapter_memory WHERE key IN (\(marks)) AND expires_at > ?", arguments: arguments)
            return Dictionary(rows.map { ($0["key"] as String, $0["value"] as String) }, uniquingKeysWith: { $1 })
        }
    }

    public func remember(_ values: [String: String], expiresAt: Date) async throws {
        guard !values.isEmpty else { return }
        try await batcher.perform { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO adapter_memory (key, value, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                    """)
            for (key, value) in values { try statement.execute(arguments: [key, value, expiresAt.timeIntervalSince1970]) }
        }
    }
}
