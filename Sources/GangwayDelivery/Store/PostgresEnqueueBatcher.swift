import Foundation
import Synchronization

/// Group commit for PostgreSQL: the calls of every webhook waiting to be stored go to the database
/// in one statement (one round trip, one commit, one WAL flush), and each webhook learns how many of
/// its calls were new. A statement that fails is retried webhook by webhook, so that one webhook's
/// bad row (or a database error it alone provokes) never fails the others.
final class PostgresEnqueueBatcher: Sendable {
    /// Stores calls (each with its own receive time, seconds since 1970) in one statement; returns
    /// the keys it inserted (a key already stored is not inserted again).
    typealias Insert = @Sendable (_ calls: [NewDelivery], _ times: [Double]) async throws -> [String]

    private struct Waiting: Sendable {
        var calls: [NewDelivery]
        var time: Double
        var continuation: CheckedContinuation<EnqueueOutcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let insert: Insert
    private let retriesAlone: @Sendable (any Error) -> Bool
    private let state = Mutex(State())
    /// Calls in one statement at most (a burst is split over several).
    let maxCalls: Int

    /// - Parameter retriesAlone: whether a failed statement may have failed for one webhook's calls,
    ///   so that each webhook on its own is worth a try (the default: always). A timeout or a lost
    ///   connection fails every webhook of the batch at once instead of each waiting it out again.
    init(maxCalls: Int = 2_000, retriesAlone: @escaping @Sendable (any Error) -> Bool = { _ in true }, insert: @escaping Insert) {
        self.maxCalls = max(1, maxCalls)
        self.retriesAlone = retriesAlone
        self.insert = insert
    }

    func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome {
        if calls.isEmpty { return EnqueueOutcome(stored: 0, duplicates: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { s -> Bool in
                s.waiting.append(Waiting(calls: calls, time: now.timeIntervalSince1970, continuation: continuation))
                if s.draining { return false }
                s.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Writes batches until nobody waits; the one drain at a time, started by the first webhook to
    /// find none running.
    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Waiting] in
                var taken: [Waiting] = []
                var count = 0
                while let next = s.waiting.first, taken.isEmpty || count + next.calls.count <= maxCalls {
                    taken.append(s.waiting.removeFirst())
                    count += next.calls.count
                }
                if taken.isEmpty { s.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            await write(batch)
        }
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
