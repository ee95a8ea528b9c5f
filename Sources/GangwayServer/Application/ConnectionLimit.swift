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

/// Counts its connection against ``ConnectionLimit`` while it is open, or closes it at once.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let limit: ConnectionLimit
    private var counted = false
    private var refused = false

    init(limit: ConnectionLimit) { self.limit = limit }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing a refused connection sends is handled.
        if !refused { context.fireChannelRead(data) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func admit(_ context: ChannelHandlerContext) {
        guard !counted, !refused else { return }
        if limit.admit() {
            counted = true
        } else {
            refused = true
            context.close(promise: nil)
        }
    }

    private func release() {
        if counted {
            counted = false
            limit.release()
        }
    }
}
