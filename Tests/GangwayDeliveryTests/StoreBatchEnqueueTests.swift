import Foundation
import GangwayCore
import GangwayDelivery
import Testing

/// One webhook's calls go in one statement (PostgreSQL: arrays through `unnest`): a key twice in
/// the same webhook is stored once, and ids follow the order the calls were given in.
@Suite struct StoreBatchEnqueueTests {
    @Test(arguments: StoreEngine.available)
    func aWebhooksCallsAreStoredInOrderAndOnce(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, _ in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            let calls = (1...40).map { newDelivery("m\($0)", conversation: "A") } + [newDelivery("m7", conversation: "A")]
            let outcome = try await store.enqueue(calls, now: t0)
            #expect(outcome == EnqueueOutcome(stored: 40, duplicates: 1))
            #expect(try await store.enqueue([newDelivery("m1", conversation: "A")], now: t0) == EnqueueOutcome(stored: 0, duplicates: 1))
            let stored = try await store.list(state: .pending, channel: "ch1", limit: 100).sorted { $0.id < $1.id }
            #expect(stored.map(\.key) == (1...40).map { "ch1:m\($0)" })
            #expect(stored.allSatisfy { $0.traceContext == nil })
        }
    }
}

/// A provider's id with NUL (which PostgreSQL's text refuses) is stored on every engine.
@Suite struct StoreHostileIdTests {
    @Test(arguments: StoreEngine.available)
    func anIdWithNULIsStoredAndClaimed(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, _ in
            let channel = ChannelConfiguration(id: "ch1", name: "CH", provider: "test", chatbotId: "bot")
            let call = InboundCall.handle(
                key: "m\u{0}1", providerId: "u\u{0}1", message: InboundMessage(id: "m\u{0}1", type: .text, text: "hi"),
                provider: ProviderInfo(name: "test"))
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await store.enqueue([NewDelivery(call: call, channel: channel)], now: t0) == EnqueueOutcome(stored: 1, duplicates: 0))
            #expect(try await store.enqueue([NewDelivery(call: call, channel: channel)], now: t0) == EnqueueOutcome(stored: 0, duplicates: 1))
            let claimed = try await store.claim(limit: 5, now: t0, lease: 30)
            #expect(claimed.map(\.key) == ["ch1:" + InboundCall.headerSafe("m\u{0}1")])
            let envelope = try JSONValue.parse(Array(try #require(claimed.first).envelope))
            #expect(envelope["providerId"]?.string == "u\u{0}1")
        }
    }
}
