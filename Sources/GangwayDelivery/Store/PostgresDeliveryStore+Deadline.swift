import Foundation
import Synchronization

extension PostgresDeliveryStore {
    struct Timeout: Error, CustomStringConvertible {
        let seconds: Double
        var description: String { "the database did not answer within \(seconds) s" }
    }

    /// Runs `body` and returns its result, or throws `Timeout` after `seconds`, whichever comes first.
    ///
    /// The deadline holds even when `body` does not react to cancellation: a query already written
    /// to a connection waits on a promise that cancelling does not end (PostgresNIO), and a task group
    /// would wait for it. Here the body runs in a task of its own that is cancelled and left to end
    /// by itself; the caller is answered at the deadline. (A claim that hung this way once stopped the
    /// dispatcher and its shutdown after a database restart.)
    static func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                guard race.start(continuation) else { return }
                let work = Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                }
                let timer = Task {
                    try? await Task.sleep(for: .seconds(seconds))
                    if race.finish(.failure(Timeout(seconds: seconds))) { work.cancel() }
                }
                race.track(work: work, timer: timer)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
            race.cancelTasks()
        }
    }

    /// The first of the body, the timer and the caller's cancellation to finish answers the caller.
    final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var done = false
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
        }
        private let state = Mutex(State())

        /// Returns false when the caller was answered already (cancelled before the start).
        func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
            let early = state.withLock { s -> Result<T, any Error>? in
                if let early = s.early { return early }
                s.continuation = continuation
                return nil
            }
            guard let early else { return true }
            continuation.resume(with: early)
            return false
        }

        func track(work: Task<Void, Never>, timer: Task<Void, Never>) {
            let finished = state.withLock { s -> Bool in
                s.work = work
                s.timer = timer
                return s.done
            }
            if finished { timer.cancel() }
        }

        /// Answers the caller unless somebody did already; returns whether this call did.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let (won, continuation, timer) = state.withLock { s -> (Bool, CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
                if s.done { return (false, nil, nil) }
                s.done = true
                let c = s.continuation
                s.continuation = nil
                if c == nil { s.early = result }
                return (true, c, s.timer)
            }
            continuation?.resume(with: result)
            timer?.cancel()
            return won
        }

        func cancelTasks() {
            let (work, timer) = state.withLock { ($0.work, $0.timer) }
            work?.cancel()
            timer?.cancel()
        }
    }
}
