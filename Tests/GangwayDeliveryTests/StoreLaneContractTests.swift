import Foundation
import GangwayCore
import GangwayDelivery
import Testing

/// What the dispatcher's per-chatbot lanes need from every store engine: claims that pass over
/// channels whose breaker is open, and claimed calls handed back without an attempt.
@Suite struct StoreLaneContractTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreEngine.available)
    func claimsPassOverExcludedChannelsAndLeaveThemDue(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, _ in
            _ = try await store.enqueue([newDelivery("x1", conversation: "X", channel: "bad"), newDelivery("x2", conversation: "Y", channel: "bad")], now: t0)
            _ = try await store.enqueue([newDelivery("g1", conversation: "G", channel: "good")], now: t0.addingTimeInterval(1))
            let claimed = try await store.claim(limit: 10, now: t0.addingTimeInterval(2), lease: 30, excludingChannels: ["bad"])
            #expect(claimed.map(\.key) == ["good:g1"])
            // The excluded calls were not touched: claimable at once, in order, without an attempt.
            let later = try await store.claim(limit: 10, now: t0.addingTimeInterval(2), lease: 30, excludingChannels: [])
            #expect(later.map(\.key) == ["bad:x1", "bad:x2"])
            #expect(later.allSatisfy { $0.attempts == 0 })
        }
    }

    @Test(arguments: StoreEngine.available)
    func aPostponedCallKeepsItsAttemptsAndItsConversationWaitsBehindIt(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, _ in
            _ = try await store.enqueue([newDelivery("a1", conversation: "A"), newDelivery("a2", conversation: "A")], now: t0)
            let first = try await store.claim(limit: 10, now: t0, lease: 30)
            #expect(first.map(\.key) == ["ch1:a1"])
            try await store.postpone(ids: first.map(\.id), until: t0.addingTimeInterval(5))
            // Neither a1 nor a2 (behind it) before then.
            #expect(try await store.claim(limit: 10, now: t0.addingTimeInterval(4), lease: 30).isEmpty)
            #expect(try await store.nextDue(after: t0) == t0.addingTimeInterval(5))
            let again = try await store.claim(limit: 10, now: t0.addingTimeInterval(5), lease: 30)
            #expect(again.map(\.key) == ["ch1:a1"])
            #expect(again.first?.attempts == 0)
            #expect(again.first?.lastStatus == nil)
        }
    }
}

/// Adapter memory in the store (AdapterMemory's backing): kept until it expires, replaced by a
/// newer value, shared by every process on the store.
@Suite struct AdapterMemoryContractTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreEngine.available)
    func valuesAreRecalledUntilTheyExpireAndByAnotherProcess(_ engine: StoreEngine) async throws {
        try await StoreFactory.with(engine) { store, reopen in
            try await store.remember(["a": "1", "b": "2"], expiresAt: t0.addingTimeInterval(60))
            try await store.remember(["a": "3"], expiresAt: t0.addingTimeInterval(60))
            #expect(try await store.recall(keys: ["a", "b", "c"], now: t0) == ["a": "3", "b": "2"])
            #expect(try await store.recall(keys: ["a"], now: t0.addingTimeInterval(61)).isEmpty)
            let again = try await reopen()
            #expect(try await again.recall(keys: ["b"], now: t0) == ["b": "2"])
        }
    }

    @Test func theMemoryLoadsWhatAnotherProcessRememberedAndPersistsWhatItRemembers() async throws {
        let (store, _) = try StoreFactory.makeSQLite()
        try await store.prepare()
        let now = Date()
        let one = AdapterMemory(store: store)
        one.remember("+4917", for: "caller:c1", at: now)
        try await one.persist()
        let two = AdapterMemory(store: store)
        #expect(two.recall("caller:c1", at: now) == nil)
        await two.load(["caller:c1", "caller:unknown"], now: now)
        #expect(two.recall("caller:c1", at: now) == "+4917")
        #expect(two.recall("caller:unknown", at: now) == nil)
    }
}
