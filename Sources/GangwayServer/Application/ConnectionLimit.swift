import Metrics
import NIOCore
import Synchronization

/// `server.maxConnections`: open connections at most. Past it a new connection is closed at
/// once (the client may retry; a provider does), so that a flood of sockets costs a file
/// descriptor for a moment and never the process.
public final class ConnectionLimit: Sendable {
    private let open = Atomic<Int>(0)
    private let limit: Atomic<Int>
    private let refused = Counter(label: "gangway_connections_refused_total")
    private let gauge = Gauge(label: "gangway_connections_open")

    public init(limit: Int) { self.limit = Atomic(limit) }

    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Applies a reloaded `server.maxConnections` (connections already open stay).
    public func setLimit(_ value: Int) { limit.store(value, ordering: .relaxed) }

    /// Counts a new connection; false (and nothing counted) when the limit is reached.
    func admit() -> Bool {
        let max = limit.load(ordering: .relaxed)
        while true {
            let now = open.load(ordering: .relaxed)
            guard now < max else {
                refused.increment()
                return false
            }
            if open.compareExchange(expected: now, desired: now + 1, ordering: .relaxed).exchanged {
                gauge.record(now + 1)
                return true
            }
        }
    }

    func release() {
        let now = open.subtract(1, ordering: .relaxed).newValue
        gauge.record(now)
    }

    /// The handler each connection's pipeline gets.
    func handler() -> ConnectionLimitHandler { ConnectionLimitHandler(limit: self) }
}
