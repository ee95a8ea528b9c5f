import Foundation
import GangwayCore
import Logging
import Synchronization

extension Dispatcher {
    /// Writes an attempt's outcome to the store. When the store fails (the database is restarting)
    /// it tries again with backoff while the claim's lease lasts, so that the conversation moves on
    /// as soon as the store is back rather than a whole lease later. Past the lease (another claim
    /// may hold the call by then), or 5 s into a shutdown, it gives up: the call stays pending and
    /// is sent again under the same idempotency key.
    func record(_ outcome: AttemptOutcome, of d: Delivery, at now: Date, leaseEnds: Date, logger log: @autoclosure () -> Logger) async {
        var pause = 0.1
        var failures = 0
        var stopNoticed: Date?
        while true {
            do {
                switch outcome {
                case .delivered(let status):
                    try await store.markDelivered(id: d.id, status: status, now: now)
                case .retry(let at, let status, let error):
                    try await store.markRetry(id: d.id, status: status, error: error, nextAttemptAt: at)
                case .dead(let status, let error):
                    try await store.markDead(id: d.id, status: status, error: error, now: now)
                }
                if failures > 0 { log().info("outcome recorded after the store came back", metadata: ["gangway.failures": "\(failures)"]) }
                return
            } catch {
                failures += 1
                let clock = Date()
                if stopping.load(ordering: .relaxed) && stopNoticed == nil { stopNoticed = clock }
                let givingUp = clock.addingTimeInterval(pause) >= leaseEnds || (stopNoticed.map { clock.timeIntervalSince($0) >= 5 } ?? false)
                if givingUp {
                    log().error(
                        "recording the outcome failed; the call stays pending and is sent again under the same key when its lease ends",
                        metadata: ["gangway.error": "\(error)", "gangway.failures": "\(failures)"])
                    return
                }
                if failures == 1 { log().warning("recording the outcome failed; trying again", metadata: ["gangway.error": "\(error)"]) }
                try? await Task.sleep(for: .seconds(pause))
                pause = min(pause * 2, 2)
            }
        }
    }

    static func reason(_ status: Int?) -> String {
        guard let status else { return "transport" }
        return "http_\(status)"
    }
}
