import Foundation
import Testing

@testable import GangwayDelivery

/// A database written by an earlier version (before the conversation heads) is upgraded in place:
/// what was pending is claimable in the same order, one head per conversation.
@Suite struct SQLiteMigrationTests {
    @Test func pendingCallsOfAnEarlierSchemaAreClaimableAfterTheUpgrade() async throws {
        let path = NSTemporaryDirectory() + "gangway-migration-\(UUID().uuidString).sqlite"
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let old = try SQLiteDeliveryStore(path: path)
        try await old.prepare(upTo: "v1-deliveries")
        _ = try await old.enqueue(
            [
                newDelivery("a1", conversation: "A"), newDelivery("b1", conversation: "B"), newDelivery("a2", conversation: "A"),
                newDelivery("c1", conversation: "C"),
            ], now: t0)
        try await old.recordDead(newDelivery("d1", conversation: "D"), status: nil, error: "gone", now: t0)

        let upgraded = try SQLiteDeliveryStore(path: path)
        try await upgraded.prepare()
        let first = try await upgraded.claim(limit: 10, now: t0, lease: 30)
        #expect(first.map(\.key) == ["ch1:a1", "ch1:b1", "ch1:c1"])
        try await upgraded.markDelivered(id: first[0].id, status: 200, now: t0)
        #expect(try await upgraded.claim(limit: 10, now: t0, lease: 30).map(\.key) == ["ch1:a2"])
        try? FileManager.default.removeItem(atPath: path)
    }
}
