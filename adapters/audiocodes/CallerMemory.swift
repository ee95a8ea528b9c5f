import Foundation
import GangwayCore
import Synchronization

/// The caller of each live AudioCodes conversation. Only the `start` activity names the caller
/// (`parameters.caller`); later activities and the disconnect carry the conversation id alone, so
/// the caller is remembered here to keep `providerId` the caller's number for the whole call.
///
/// In-process and bounded: after a restart, on another replica, or once evicted, a turn's
/// `providerId` falls back to the conversation id (README, "Limits").
final class CallerMemory: Sendable {
    static let shared = CallerMemory()

    /// Conversations kept at most this long after their start (a call longer than this falls back).
    let lifetime: TimeInterval = 4 * 3600
    let capacity = 10_000
    private let callers = Mutex<[String: (caller: String, since: Date)]>([:])

    func remember(_ caller: String, conversation: String, at now: Date) {
        callers.withLock { map in
            if map.count >= capacity {
                map = map.filter { now.timeIntervalSince($0.value.since) < lifetime }
                if map.count >= capacity, let oldest = map.min(by: { $0.value.since < $1.value.since })?.key { map[oldest] = nil }
            }
            map[conversation] = (caller, now)
        }
    }

    func caller(of conversation: String, at now: Date) -> String? {
        callers.withLock { map in
            guard let entry = map[conversation], now.timeIntervalSince(entry.since) < lifetime else { return nil }
            return entry.caller
        }
    }
}
