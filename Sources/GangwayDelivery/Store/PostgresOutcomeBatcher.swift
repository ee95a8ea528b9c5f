import Foundation
import Synchronization

/// Group commit for PostgreSQL's per-call writes (a delivered call's outcome): the rows of every
/// caller waiting go to the database in one statement (one round trip, one commit, one WAL flush),
/// one statement in flight at a time while the next batch collects. Each caller returns once the
/// statement that carried its row has committed, and throws if it failed.
///
/// A statement that fails is retried row by row, so that one bad row (or a database error it
/// alone provokes) never fails the others, unless `retriesAlone` says that the error is not one a
/// row can cause (a timeout, a lost connection): then every row of the batch fails with it at
/// once, rather than each waiting out the same failure again. A row whose id is already in the
/// batch waits for the next statement, so that each statement touches a row at most once (two
/// outcomes for one call apply one after the other, as two single statements would).
final class PostgresOutcomeBatcher<Row: Sendable & Identifiable>: Sendable where Row.ID: Sendable {
    /// Writes rows (distinct ids) in one statement; returns once it committed.
    typealias Write = @Sendable (_ rows: [Row]) async throws -> Void

    private struct Waiting: Sendable {
        var row: Row
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var draining = false
    }

    private let write: Write
    private let retriesAlone: @Sendable (any Error) -> Bool
    private let state = Mutex(State())
    /// Rows in one statement at most (a burst is split over several).
    let maxRows: Int

    /// - Parameters:
    ///   - retriesAlone: whether a failed statement is worth retrying row by row (the default: always).
    init(maxRows: Int = 512, retriesAlone: @escaping @Sendable (any Error) -> Bool = { _ in true }, write: @escaping Write) {
        self.maxRows = max(1, maxRows)
        self.retriesAlone = retriesAlone
        self.write = write
    }

    /// Writes `row` in the next statement and returns once that committed.
    func perform(_ row: Row) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { s -> Bool in
                s.waiting.append(Waiting(row: row, continuation: continuation))
                if s.draining { return false }
                s.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Writes batches until nobody waits; the one drain at a time, started by the first caller to
    /// find none running.
    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Waiting] in
                let (taken, left) = Self.split(s.waiting, maxRows: maxRows)
                s.waiting = left
                if taken.isEmpty { s.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    /// The next batch: up to `maxRows` waiting rows with distinct ids, in arrival order; the rest
    /// (a repeated id, or past the bound) keep their order for the batches after.
    private static func split(_ waiting: [Waiting], maxRows: Int) -> (taken: [Waiting], left: [Waiting]) {
        var taken: [Waiting] = []
        var left: [Waiting] = []
        var ids = Set<Row.ID>()
        for w in waiting {
            if taken.count < maxRows, ids.insert(w.row.id).inserted {
                taken.append(w)
            } else {
                left.append(w)
            }
        }
        return (taken, left)
    }

    private func commit(_ batch: [Waiting]) async {
        do {
            try await write(batch.map(\.row))
            for waiting in batch { waiting.continuation.resume() }
        } catch {
            await PostgresBatchFallback.afterFailure(
                of: batch, error: error, retriesAlone: retriesAlone,
                alone: { waiting in
                    try await write([waiting.row])
                    waiting.continuation.resume()
                },
                fail: { waiting, error in waiting.continuation.resume(throwing: error) })
        }
    }
}
