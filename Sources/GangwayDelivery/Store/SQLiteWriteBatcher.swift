import Foundation
import GRDB
import Synchronization

/// Leader-based group commit for every write: operations that arrive while a transaction runs
/// are all executed in the next transaction, each in its own savepoint (one failing operation
/// does not undo the others), and each caller is resumed only after that transaction committed.
/// One fsync thus covers many webhooks and many delivery outcomes.
final class WriteBatcher: Sendable {
    private struct Operation: Sendable {
        /// Runs inside the shared transaction, in a savepoint of its own; returns what to do once
        /// it has committed (with the body's value or its error). Throws only when its savepoint
        /// cannot be undone, which fails the transaction.
        var run: @Sendable (Database) throws -> @Sendable () -> Void
        /// Called instead when the transaction failed.
        var fail: @Sendable (any Error) -> Void
        /// When a webhook's enqueue was handed in (its wait and the commit are timed as ingest stages).
        var timedFrom: ContinuousClock.Instant?
    }

    private struct State {
        var waiting: [Operation] = []
        var leaderRunning = false
    }

    private let pool: DatabasePool
    private let checkpointer: Checkpointer
    private let state = Mutex(State())

    init(pool: DatabasePool, checkpointer: Checkpointer) {
        self.pool = pool
        self.checkpointer = checkpointer
    }

    /// Runs `body` in the next group commit and returns once that committed.
    /// - Parameter timed: a webhook's enqueue: its wait for the commit and the commit are recorded
    ///   as the ingest stages `commit_wait` and `commit`.
    func perform<T: Sendable>(timed: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let operation = Operation(
                run: { db in
                    // The savepoint's three statements are prepared once per connection
                    // (`db.inSavepoint` prepares SAVEPOINT and RELEASE afresh for every operation).
                    // A body's failure undoes its own writes and is its caller's answer; failing to
                    // undo them fails the whole transaction.
                    try db.cachedStatement(sql: "SAVEPOINT gangway_operation").execute()
                    let result: Result<T, any Error>
                    do {
                        result = .success(try body(db))
                    } catch {
                        try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT gangway_operation").execute()
                        result = .failure(error)
                    }
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT gangway_operation").execute()
                    return { continuation.resume(with: result) }
                },
                fail: { error in continuation.resume(throwing: error) },
                timedFrom: timed ? ContinuousClock.now : nil)
            let lead = state.withLock { s in
                s.waiting.append(operation)
                if s.leaderRunning { return false }
                s.leaderRunning = true
                return true
            }
            if lead {
                // The leader runs on a queue of its own and writes synchronously: GRDB then runs the
                // transaction on this same thread, with no task to create and no continuation to hop
                // through per batch.
                leaderQueue.async { self.drain() }
            }
        }
    }

    private let leaderQueue = DispatchQueue(label: "gangway.store.commit")

    private func drain() {
        while true {
            let batch = state.withLock { s -> [Operation] in
                let b = s.waiting
                s.waiting = []
                if b.isEmpty { s.leaderRunning = false }
                return b
            }
            if batch.isEmpty { return }
            let started = ContinuousClock.now
            var timed = false
            for operation in batch {
                if let from = operation.timedFrom {
                    IngestStage.commitWait.record(started - from)
                    timed = true
                }
            }
            do {
                let completions = try pool.write { db in try batch.map { try $0.run(db) } }
                if timed { IngestStage.commit.record(since: started) }
                for complete in completions { complete() }
                checkpointer.committed()
            } catch {
                // The transaction did not commit: nothing of this batch is stored.
                for operation in batch { operation.fail(error) }
            }
        }
    }
}
