import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore

/// `server.maxBodyBytes` on the webhook routes: a declared length over the limit is refused
/// before anything is read, a longer streamed body as soon as it passes the limit, and the body
/// of a request that goes on is collected here, so that the controller reads only the data path.
/// Unknown channels and a draining gateway pass through: the controller answers them without
/// reading the body.
struct WebhookBodyLimit: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let state: GatewayState
    let counters: CounterCache

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let loaded = state.loaded.value
        guard let channel = loaded.channels[context.parameters.get("channel") ?? ""], state.currentPhase != .draining else {
            return try await next(request, context)
        }
        let config = channel.configuration
        let limit = loaded.configuration.server.maxBodyBytes
        func refuse(_ metadata: Logger.Metadata) -> Response {
            let refusal = WebhookRefusal.tooLarge(limit: limit)
            counters.webhook(config.id, config.provider, outcome: refusal.outcome).increment()
            ChannelLogger(base: context.logger, channel: config.id, provider: config.provider)
                .info("webhook refused: body too large", metadata: metadata.merging(["gangway.body.limit": "\(limit)"]) { $1 })
            return refusal.response
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            return refuse(["gangway.body.declared": "\(declared)"])
        }
        var request = request
        let started = ContinuousClock.now
        do {
            _ = try await request.collectBody(upTo: limit)
            IngestStage.receive.record(since: started)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return refuse([:])
        }
        return try await next(request, context)
    }
}
