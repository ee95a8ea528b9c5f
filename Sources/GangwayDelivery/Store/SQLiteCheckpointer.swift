import Foundation
import GRDB
import Synchronization

/// Copies the WAL back into the database file mostly off the commit path.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, so every
/// webhook waiting on that commit would also wait for the copy and the database file's fsync.
/// Here, after commits, a PASSIVE checkpoint runs on a connection of its own (at most one at a
/// time, at most every 100 ms) and copies what has been committed without blocking the writer.
/// The automatic checkpoint stays on: it then finds only the last few pages to copy and, running
/// between two of the writer's transactions, completes, so that the WAL starts again from its
/// beginning (a passive checkpoint alone never catches up under steady writes) and its blocks
/// are overwritten, which keeps fdatasync cheap. Durability is unchanged: every commit is fsynced
/// in the WAL before anyone is answered. (Benchmarks/README.md, "Why the code is as it is".)
final class Checkpointer: Sendable {
    private struct State {
        var running = false
        var last = ContinuousClock.now
    }

    private let connection: DatabaseQueue
    private let state = Mutex(State())
    private let interval: Duration

    init(connection: DatabaseQueue, interval: Duration = .milliseconds(100)) {
        self.connection = connection
        self.interval = interval
    }

    /// Called after each commit: starts a checkpoint when none runs and the last is old enough.
    func committed() {
        let now = ContinuousClock.now
        let start = state.withLock { s -> Bool in
            guard !s.running, now - s.last >= interval else { return false }
            s.running = true
            s.last = now
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) {
            _ = try? await self.connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            self.state.withLock { $0.running = false }
        }
    }
}
