import Foundation

/// Stops attempts while the chatbot API is down, and probes it with one call at a time.
///
/// Closed: calls flow; `failureThreshold` consecutive failures open it. Open: no call until the
/// cool-down passes, then half-open: one probe. The probe's success closes it; its failure opens
/// it again with twice the cool-down (up to `maxCooldown`).
public struct CircuitBreakerStateMachine: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: Date, cooldown: Double)
        case halfOpen(probeInFlight: Bool, cooldown: Double)
    }

    public private(set) var state: State = .closed(consecutiveFailures: 0)
    public let failureThreshold: Int
    public let initialCooldown: Double
    public let maxCooldown: Double

    public init(failureThreshold: Int = 5, initialCooldown: Double = 1, maxCooldown: Double = 30) {
        self.failureThreshold = failureThreshold
        self.initialCooldown = initialCooldown
        self.maxCooldown = maxCooldown
    }

    /// How many calls may start now (`Int.max` when closed).
    public mutating func permits(now: Date) -> Int {
        switch state {
        case .closed: return Int.max
        case .open(let until, let cooldown):
            guard now >= until else { return 0 }
            state = .halfOpen(probeInFlight: false, cooldown: cooldown)
            return 1
        case .halfOpen(let inFlight, _):
            return inFlight ? 0 : 1
        }
    }

    /// A call started (only matters for the probe).
    public mutating func started() {
        if case .halfOpen(false, let cooldown) = state { state = .halfOpen(probeInFlight: true, cooldown: cooldown) }
    }

    /// The API answered in a way that shows it is up (any answer that is not a 5xx, 429 or transport error).
    public mutating func succeeded() {
        state = .closed(consecutiveFailures: 0)
    }

    /// The API looks down (transport error, timeout, 5xx, 429).
    public mutating func failed(now: Date) {
        switch state {
        case .closed(let n):
            if n + 1 >= failureThreshold {
                state = .open(until: now.addingTimeInterval(initialCooldown), cooldown: initialCooldown)
            } else {
                state = .closed(consecutiveFailures: n + 1)
            }
        case .halfOpen(_, let cooldown):
            let next = min(cooldown * 2, maxCooldown)
            state = .open(until: now.addingTimeInterval(next), cooldown: next)
        case .open:
            break
        }
    }

    /// When the breaker will allow a probe (nil when it is not open).
    public var reopensAt: Date? {
        if case .open(let until, _) = state { return until }
        return nil
    }

    /// Whether no call at all may start now (open and cooling down, or its probe is out).
    public func holdsBack(now: Date) -> Bool {
        switch state {
        case .closed: false
        case .open(let until, _): now < until
        case .halfOpen(let probeInFlight, _): probeInFlight
        }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }
}
