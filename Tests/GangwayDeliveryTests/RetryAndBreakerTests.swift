import Foundation
import GangwayCore
import GangwayDelivery
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, initialBackoffSeconds: 1, maxBackoffSeconds: 10, maxAgeSeconds: 3600)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [408, 425, 429, 500, 502, 503, 504, 599])
    func retryableStatuses(_ status: Int) { #expect(RetryPolicy.isRetryable(status: status)) }

    @Test(arguments: [400, 401, 403, 404, 409, 410, 413, 422, 301])
    func statusesThatAreNotRetried(_ status: Int) {
        #expect(!RetryPolicy.isRetryable(status: status))
        #expect(
            policy.decide(.response(status: status, retryAfter: nil, error: nil), attempts: 1, queuedAt: now, now: now, random: 0.5)
                == .dead(status: status, error: "HTTP \(status) (not retryable)"))
    }

    @Test func backoffIsExponentialWithFullJitterAndCapped() {
        #expect(policy.backoff(afterAttempt: 1, random: 1) == 1)
        #expect(policy.backoff(afterAttempt: 2, random: 1) == 2)
        #expect(policy.backoff(afterAttempt: 3, random: 1) == 4)
        #expect(policy.backoff(afterAttempt: 10, random: 1) == 10)
        #expect(policy.backoff(afterAttempt: 3, random: 0) == 0)
        #expect(policy.backoff(afterAttempt: 3, random: 0.5) == 2)
    }

    @Test func retryAfterInSecondsAndAsHTTPDateIsHonoured() {
        #expect(RetryPolicy.retryAfterDelay("120", now: now) == 120)
        let date = Date(timeIntervalSince1970: 1_800_000_090)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(RetryPolicy.retryAfterDelay(formatter.string(from: date), now: now) == 90)
        #expect(RetryPolicy.retryAfterDelay("soon", now: now) == nil)
        let outcome = policy.decide(.response(status: 429, retryAfter: "30", error: nil), attempts: 1, queuedAt: now, now: now, random: 0)
        #expect(outcome == .retry(at: now.addingTimeInterval(30), status: 429, error: "HTTP 429"))
    }

    @Test func deadAfterMaxAttemptsOrMaxAge() {
        let last = policy.decide(.transportError("connection refused"), attempts: 4, queuedAt: now, now: now, random: 0.5)
        #expect(last == .dead(status: nil, error: "connection refused (gave up after 4 attempts)"))
        let old = policy.decide(
            .response(status: 503, retryAfter: nil, error: "busy"), attempts: 1, queuedAt: now.addingTimeInterval(-3600), now: now, random: 0.5)
        #expect(old == .dead(status: 503, error: "HTTP 503: busy (older than maxAgeSeconds 3600)"))
        #expect(policy.decide(.response(status: 202, retryAfter: nil, error: nil), attempts: 9, queuedAt: now, now: now, random: 0) == .delivered(status: 202))
    }
}

@Suite struct CircuitBreakerTests {
    let t0 = Date(timeIntervalSince1970: 1_000)

    @Test func opensAfterConsecutiveFailuresAndProbesAfterCooldown() {
        var b = CircuitBreakerStateMachine(failureThreshold: 3, initialCooldown: 2, maxCooldown: 8)
        #expect(b.permits(now: t0) == Int.max)
        b.failed(now: t0)
        b.failed(now: t0)
        b.succeeded()
        b.failed(now: t0)
        b.failed(now: t0)
        #expect(!b.isOpen)
        b.failed(now: t0)
        #expect(b.isOpen)
        #expect(b.permits(now: t0.addingTimeInterval(1)) == 0)
        #expect(b.permits(now: t0.addingTimeInterval(2)) == 1)
        b.started()
        #expect(b.permits(now: t0.addingTimeInterval(2)) == 0)  // one probe at a time
        b.failed(now: t0.addingTimeInterval(2))
        #expect(b.reopensAt == t0.addingTimeInterval(6))  // cooldown doubled
        #expect(b.permits(now: t0.addingTimeInterval(6)) == 1)
        b.started()
        b.succeeded()
        #expect(!b.isOpen)
        #expect(b.permits(now: t0.addingTimeInterval(6)) == Int.max)
    }

    @Test func cooldownIsCapped() {
        var b = CircuitBreakerStateMachine(failureThreshold: 1, initialCooldown: 4, maxCooldown: 5)
        b.failed(now: t0)
        var t = t0
        for _ in 0..<4 {
            t = b.reopensAt ?? t
            _ = b.permits(now: t)
            b.started()
            b.failed(now: t)
        }
        #expect(b.reopensAt == t.addingTimeInterval(5))
    }
}
