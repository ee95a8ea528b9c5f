import Foundation
import GangwayCore
import GangwayDelivery
import Testing

/// The trace context stored with a call (DESIGN.md, section 4, "Tracing") survives every engine's
/// round trip: enqueue, claim on another process (a replica), retry, dead letter, replay.
@Suite struct StoreTraceContextTests {
    static let context = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nvendor=1"

    @Test(arguments: StoreEngine.available)
    func theTraceContextTravelsWithTheCall(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            var traced = newDelivery("t1", conversation: "A")
            traced.traceContext = Self.context
            _ = try await store.enqueue([traced, newDelivery("u1", conversation: "B")], now: t0)
            // Another process (a replica) claims what this one stored.
            let other = try await reopen()
            let claimed = try await other.claim(limit: 10, now: t0, lease: 30)
            #expect(Dictionary(uniqueKeysWithValues: claimed.map { ($0.key, $0.traceContext) }) == ["ch1:t1": Self.context, "ch1:u1": nil])
            let id = try #require(claimed.first { $0.key == "ch1:t1" }?.id)
            try await other.markDead(id: id, status: 500, error: "down", now: t0)
            #expect(try await other.replay(id: id, now: t0) == 1)
            #expect(try await store.get(id: id)?.traceContext == Self.context)
            var dead = newDelivery("v1", conversation: "C")
            dead.traceContext = Self.context
            try await store.recordDead(dead, status: 503, error: "deadline", now: t0)
            #expect(try await store.list(state: .dead, channel: "ch1", limit: 5).first { $0.key == "ch1:v1" }?.traceContext == Self.context)
        }
    }
}
