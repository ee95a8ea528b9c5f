import Foundation
import GangwayCore

/// What to do after one attempt.
public enum AttemptOutcome: Sendable, Equatable {
    case delivered(status: Int)
    /// Try again at this time.
    case retry(at: Date, status: Int?, error: String)
    case dead(status: Int?, error: String)
}

/// The answer of one attempt, as the dispatcher saw it.
public enum AttemptResult: Sendable, Equatable {
    case response(status: Int, retryAfter: String?, error: String?)
    /// No answer: connection refused, reset, timed out.
    case transportError(String)
}

extension RetryPolicy {
    /// Whether an HTTP status is worth another attempt: 408, 425, 429 and 5xx.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500..<600).contains(status)
    }

    /// Parses `Retry-After`: seconds, or an HTTP date. Returns the delay from `now` in seconds.
    public static func retryAfterDelay(_ value: String?, now: Date) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0, seconds.isFinite { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    /// The delay before attempt `attempt + 1`: exponential backoff with full jitter.
    /// - Parameters:
    ///   - attempt: attempts made so far (1 after the first).
    ///   - random: a number in 0...1 (injected for tests).
    public func backoff(afterAttempt attempt: Int, random: Double) -> Double {
        let exponent = min(Double(max(attempt - 1, 0)), 60)
        let cap = min(maxBackoffSeconds, initialBackoffSeconds * pow(2, exponent))
        return cap * min(max(random, 0), 1)
    }

    /// Decides what follows an attempt.
    /// - Parameters:
    ///   - result: what the attempt got.
    ///   - attempts: attempts made, this one included.
    ///   - queuedAt: when this round of attempts began (maxAgeSeconds counts from here).
    public func decide(_ result: AttemptResult, attempts: Int, queuedAt: Date, now: Date, random: Double) -> AttemptOutcome {
        let status: Int?
        let error: String
        var retryAfter: Double?
        switch result {
        case .response(let code, let after, let message):
            if (200..<300).contains(code) { return .delivered(status: code) }
            status = code
            error = "HTTP \(code)" + (message.map { ": \($0)" } ?? "")
            guard RetryPolicy.isRetryable(status: code) else { return .dead(status: code, error: error + " (not retryable)") }
            retryAfter = RetryPolicy.retryAfterDelay(after, now: now)
        case .transportError(let message):
            status = nil
            error = message
        }
        if attempts >= maxAttempts {
            return .dead(status: status, error: "\(error) (gave up after \(attempts) attempts)")
        }
        let delay = max(backoff(afterAttempt: attempts, random: random), retryAfter ?? 0)
        let next = now.addingTimeInterval(delay)
        if next.timeIntervalSince(queuedAt) > maxAgeSeconds {
            return .dead(status: status, error: "\(error) (older than maxAgeSeconds \(Int(maxAgeSeconds)))")
        }
        return .retry(at: next, status: status, error: error)
    }
}
