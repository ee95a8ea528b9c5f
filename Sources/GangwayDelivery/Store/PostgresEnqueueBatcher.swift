import Foundation
import Synchronization

/// Group commit for PostgreSQL: the calls of the webhooks waiting to be stored go to the database
/// in one statement (one round trip, one commit, one WAL flush), and each webhook learns how many of
/// its calls were new. A statement that fails is retried webhook by webhook, so that one webhook's
/// bad row (or a database error it alone provokes) never fails the others.
///
/// Up to `maxInFlight` statements run at once (on different connections of the pool): while one
/// waits for its commit, the webhooks that arrived meanwhile are already on their way. Ids come
/// from a sequence as rows are inserted, so two statements running at once may number their calls
/// in either order; a conversation's calls keep the order they were received in because a webhook
/// never goes while a statement carrying one of its conversations runs, nor ahead of an earlier
/// webhook of one of its conversations that still waits.
final class PostgresEnqueueBatcher: Sendable {
    /// Stores calls (each with its own receive time, seconds since 1970) in one statement; returns
    /// the keys it inserted (a key already stored is not inserted again).
    typealias Insert = @Sendable (_ calls: [NewDelivery], _ times: [Double]) async throws -> [String]

    private struct Waiting: Sendable {
        var calls: [NewDelivery]
        /// Each call's conversation.
        var conversations: [String]
        var time: Double
        var continuation: CheckedContinuation<EnqueueOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        /// Writers running (each writes batches until it finds none it may take).
        var writers = 0
        /// The conversations of the statements running, one entry per conversation and statement.
        var inFlight: [String: Int] = [:]
    }

    private let insert: Insert
    private let retriesAlone: @Sendable (any Error) -> Bool
    private let state = Mutex(State())
    /// Calls in one statement at most (a burst is split over several).
    let maxCalls: Int
    /// Statements running at once at most.
    let maxInFlight: Int

    /// - Parameter retriesAlone: whether a failed statement may have failed for one webhook's calls,
    ///   so that each webhook on its own is worth a try (the default: always). A timeout or a lost
    ///   connection fails every webhook of the batch at once instead of each waiting it out again.
    init(
        maxCalls: Int = 2_000, maxInFlight: Int = 2, retriesAlone: @escaping @Sendable (any Error) -> Bool = { _ in true },
        insert: @escaping Insert
    ) {
        self.maxCalls = max(1, maxCalls)
        self.maxInFlight = max(1, maxInFlight)
        self.retriesAlone = retriesAlone
        self.insert = insert
    }

    /// Webhooks waiting for a statement (for tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome {
        if calls.isEmpty { return EnqueueOutcome(stored: 0, duplicates: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            let conversations = calls.map(\.conversation)
            let start = state.withLock { s -> Bool in
                s.waiting.append(
                    Waiting(calls: calls, conversations: conversations, time: now.timeIntervalSince1970, continuation: continuation))
                // A webhook of a conversation in flight waits for that statement's writer.
                if s.writers >= maxInFlight || conversations.contains(where: { s.inFlight[$0] != nil }) { return false }
                s.writers += 1
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Writes batches until there is none it may take (nothing waits, or everything that waits
    /// belongs to a conversation in flight: the writer of that statement takes it after).
    private func drain() async {
        var done: Set<String> = []
        while true {
            let (batch, conversations, another) = state.withLock { s -> ([Waiting], Set<String>, Bool) in
                for conversation in done {
                    if let n = s.inFlight[conversation], n > 1 { s.inFlight[conversation] = n - 1 } else { s.inFlight[conversation] = nil }
                }
                let taken = Self.take(from: &s.waiting, maxCalls: maxCalls, inFlight: s.inFlight)
                if taken.isEmpty {
                    s.writers -= 1
                    return ([], [], false)
                }
                let conversations = Set(taken.flatMap(\.conversations))
                for conversation in conversations { s.inFlight[conversation, default: 0] += 1 }
                // What a full statement left behind may go beside it.
                let another = !s.waiting.isEmpty && s.writers < maxInFlight
                if another { s.writers += 1 }
                return (taken, conversations, another)
            }
            if batch.isEmpty { return }
            if another { Task { await self.drain() } }
            done = conversations
            await write(batch)
        }
    }

    private static func take(from waiting: inout [Waiting], maxCalls: Int, inFlight: [String: Int]) -> [Waiting] {
        let picked = pick(waiting.map(\.conversations), maxCalls: maxCalls, inFlight: Set(inFlight.keys))
        if picked.isEmpty { return [] }
        let chosen = Set(picked)
        let taken = picked.map { waiting[$0] }
        waiting = waiting.indices.filter { !chosen.contains($0) }.map { waiting[$0] }
        return taken
    }

    /// Which waiting webhooks (given by their calls' conversations, in arrival order) the next
    /// statement carries, as indices in that order: up to `maxCalls` calls (a first webhook larger
    /// than that goes alone), each webhook whose conversations are not in flight and not behind a
    /// webhook of one of its conversations that stays waiting.
    static func pick(_ webhooks: [[String]], maxCalls: Int, inFlight: Set<String>) -> [Int] {
        var picked: [Int] = []
        var held = inFlight
        var count = 0
        for (index, conversations) in webhooks.enumerated() {
            if count >= maxCalls { break }
            let fits = picked.isEmpty || count + conversations.count <= maxCalls
            if fits && !conversations.contains(where: held.contains) {
                picked.append(index)
                count += conversations.count
            } else {
                held.formUnion(conversations)
            }
        }
        return picked
    }

    private func write(_ batch: [Waiting]) async {
        do {
            let inserted = try await insert(batch.flatMap(\.calls), batch.flatMap { w in w.calls.map { _ in w.time } })
            for (waiting, outcome) in zip(batch, Self.outcomes(of: batch.map(\.calls), inserted: inserted)) {
                waiting.continuation.resume(returning: outcome)
            }
        } catch {
            await PostgresBatchFallback.afterFailure(
                of: batch, error: error, retriesAlone: retriesAlone,
                alone: { waiting in
                    let inserted = try await insert(waiting.calls, waiting.calls.map { _ in waiting.time })
                    waiting.continuation.resume(returning: Self.outcomes(of: [waiting.calls], inserted: inserted)[0])
                },
                fail: { waiting, error in waiting.continuation.resume(throwing: error) })
        }
    }

    /// Each webhook's share of the inserted keys, in batch order: a key inserted once counts as
    /// stored for the first call that carries it and as a duplicate for any later one (two
    /// webhooks, or one webhook, carrying the same key).
    static func outcomes(of webhooks: [[NewDelivery]], inserted: [String]) -> [EnqueueOutcome] {
        var unclaimed = Set(inserted)
        return webhooks.map { calls in
            var stored = 0
            for call in calls where unclaimed.remove(call.key) != nil { stored += 1 }
            return EnqueueOutcome(stored: stored, duplicates: calls.count - stored)
        }
    }
}
