import Foundation
import Synchronization
import Testing

@testable import GangwayDelivery

/// The bound on every PostgreSQL operation: the caller is answered at the deadline even when the
/// operation ignores cancellation (a query already written to a connection does).
@Suite struct DeadlineTests {
    /// Resumes a continuation after `seconds`, whatever happens to the waiting task.
    static func uncancellableSleep(_ seconds: Double) async -> Int {
        await withCheckedContinuation { c in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { c.resume(returning: 7) }
        }
    }

    @Test func answersAtTheDeadlineWhenTheBodyIgnoresCancellation() async throws {
        let started = Date()
        await #expect(throws: PostgresDeliveryStore.Timeout.self) {
            try await PostgresDeliveryStore.withTimeout(0.2) { await Self.uncancellableSleep(3) }
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.19 && waited < 1.5, "answered after \(waited) s")
    }

    @Test func returnsTheResultAndErrorOfAQuickBody() async throws {
        let started = Date()
        #expect(try await PostgresDeliveryStore.withTimeout(10) { await Self.uncancellableSleep(0.05) } == 7)
        #expect(Date().timeIntervalSince(started) < 5, "the timer must not hold the answer")
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await PostgresDeliveryStore.withTimeout(10) { () async throws -> Int in throw Boom() } }
    }

    @Test func theCallersCancellationEndsTheWait() async throws {
        let started = Date()
        let task = Task { try await PostgresDeliveryStore.withTimeout(30) { await Self.uncancellableSleep(3) } }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(Date().timeIntervalSince(started) < 1.5)
    }
}
