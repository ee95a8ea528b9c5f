import Foundation
import GangwayDelivery
import Synchronization
import Testing

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// The race a conversation-heads store must close: a call stored into a conversation while another
/// process delivers that conversation's head and looks for the next one. If the deliverer cannot
/// see the new call (not committed yet) and the writer sees the old head still there, the new call
/// is left without a head and is never claimed. Run with PostgreSQL this is two replicas' worth of
/// connections writing and delivering at once.
@Suite struct StoreHeadsRaceTests {
    @Test(arguments: StoreEngine.available)
    func callsStoredWhileTheirConversationIsDeliveredAreAllDeliveredInOrder(_ engine: StoreEngine) async throws {
        let conversations = 6
        let perConversation = 150
        try await StoreFactory.with(engine) { store, reopen in
            let other = try await reopen()
            let tally = RaceTally(writers: conversations)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // One writer per conversation, so each conversation's order is the order written;
                // the writers alternate between the two processes.
                for c in 0..<conversations {
                    group.addTask {
                        let writer = c % 2 == 0 ? store : other
                        for n in 0..<perConversation {
                            _ = try await writer.enqueue([newDelivery("c\(c)-\(n)", conversation: "C\(c)")], now: t0)
                        }
                        tally.writing.subtract(1, ordering: .sequentiallyConsistent)
                    }
                }
                for claimer in [store, other] {
                    group.addTask {
                        // Deliver as soon as anything is claimable; stop once the writers are done
                        // and a run of claims finds nothing.
                        var idle = 0
                        while idle < 40 {
                            let claimed = try await claimer.claim(limit: 4, now: t0, lease: 600)
                            if claimed.isEmpty {
                                if tally.writing.load(ordering: .sequentiallyConsistent) == 0 { idle += 1 }
                                try await Task.sleep(for: .milliseconds(2))
                                continue
                            }
                            idle = 0
                            for d in claimed {
                                let now = tally.held.withLock { h -> Int in
                                    let count = h[d.conversation, default: 0] + 1
                                    h[d.conversation] = count
                                    return count
                                }
                                _ = tally.maxHeld.max(now, ordering: .relaxed)
                            }
                            for d in claimed {
                                // Counted as held from the claim's answer until just before its
                                // outcome is written: inside the real holding time (claim to commit),
                                // so an overlap counted here is a real one (decrementing after the
                                // write would count the other claimer's next claim, made as soon as
                                // the commit lands, as an overlap).
                                tally.held.withLock { $0[d.conversation, default: 1] -= 1 }
                                tally.delivered.withLock { $0[d.conversation, default: []].append(d.key) }
                                try await claimer.markDelivered(id: d.id, status: 200, now: t0)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tally.maxHeld.load(ordering: .relaxed) == 1)
            let result = tally.delivered.withLock { $0 }
            for c in 0..<conversations {
                #expect(result["C\(c)"] == (0..<perConversation).map { "ch1:c\(c)-\($0)" }, "conversation C\(c)")
            }
            // Nothing is left behind without a head.
            #expect(try await store.statistics().pending == 0)
        }
    }
}

/// What the writers and claimers of the race test share.
private final class RaceTally: Sendable {
    let writing: Atomic<Int>
    let maxHeld = Atomic<Int>(0)
    let held = Mutex<[String: Int]>([:])
    let delivered = Mutex<[String: [String]]>([:])

    init(writers: Int) { writing = Atomic(writers) }
}
