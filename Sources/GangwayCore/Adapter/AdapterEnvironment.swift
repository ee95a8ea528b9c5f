import Foundation
import Synchronization

/// What an adapter may use beyond its channel's configuration, given to it when it is made.
/// The gateway builds one environment (in `buildGateway`) and every channel's adapter shares
/// it, across reloads; a test or a fuzzer builds its own. There is no process-wide instance.
public struct AdapterEnvironment: Sendable {
    /// Signing keys that providers publish (Bot Framework's OpenID metadata), by metadata URL.
    /// The gateway's key fetcher service fills it; adapters read it.
    public var keys: KeyDirectory
    /// A small memory that outlives one request (AudioCodes' caller of each live conversation).
    public var memory: AdapterMemory

    public init(keys: KeyDirectory = KeyDirectory(), memory: AdapterMemory = AdapterMemory()) {
        self.keys = keys
        self.memory = memory
    }
}

/// Values adapters remember between the requests of one conversation, with a lifetime and a
/// bound. In-process: after a restart, or on another replica, a value is gone and the adapter
/// falls back (each adapter's README says to what).
public final class AdapterMemory: Sendable {
    /// How long a value is kept after it was remembered.
    public let lifetime: TimeInterval
    /// Values at most; past it the expired, then the oldest, are dropped.
    public let capacity: Int
    private let values = Mutex<[String: (value: String, since: Date)]>([:])

    public init(lifetime: TimeInterval = 4 * 3600, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func remember(_ value: String, for key: String, at now: Date) {
        values.withLock { map in
            if map.count >= capacity, map[key] == nil {
                map = map.filter { now.timeIntervalSince($0.value.since) < lifetime }
                if map.count >= capacity, let oldest = map.min(by: { $0.value.since < $1.value.since })?.key { map[oldest] = nil }
            }
            map[key] = (value, now)
        }
    }

    public func recall(_ key: String, at now: Date) -> String? {
        values.withLock { map in
            guard let entry = map[key], now.timeIntervalSince(entry.since) < lifetime else { return nil }
            return entry.value
        }
    }

    public var count: Int { values.withLock { $0.count } }
}
