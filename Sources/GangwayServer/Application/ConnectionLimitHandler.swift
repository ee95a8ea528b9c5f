import Metrics
import NIOCore
import Synchronization

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
