import Foundation
import GangwayCore
import GangwayDelivery
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import Synchronization
import Tracing

/// `POST` / `GET /webhooks/{channel}[/...]`: handshake, verify, normalize, commit, answer.
struct WebhookController: Sendable {
    let state: GatewayState
    let store: any DeliveryStore
    let dispatcher: Dispatcher
    let forwarder: DirectForwarder
    /// Each channel's totals and last webhooks, for the console.
    let activity: ChannelActivity
    let recent: RecentWebhooks
    /// Spans per webhook and the trace context stored with its calls (off: no span at all).
    let tracing: CallTracing
    /// The per-channel counters, made once rather than looked up in the metrics factory per request.
    let counters = CounterCache()

    /// What one webhook came to, for the console's live view.
    final class Note {
        var outcome = ""
        var calls: [NewDelivery] = []
        /// The trace context the webhook's calls carry (``CallTracing``).
        var traceContext: String?
        /// The trace id, for the console.
        var traceID: String? { traceContext.flatMap { CallTracing.headers(stored: $0)["traceparent"] }.flatMap(TraceParent.init)?.traceID }
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        let webhooks = router.group("webhooks").add(middleware: WebhookBodyLimit(state: state, counters: counters))
        for method in [HTTPRequest.Method.get, .post, .put, .head] {
            webhooks.on(":channel", method: method) { request, context in
                try await self.handle(request, context: context, subpath: "")
            }
            webhooks.on(":channel/**", method: method) { request, context in
                let rest = context.parameters.getCatchAll().joined(separator: "/")
                return try await self.handle(request, context: context, subpath: "/" + rest)
            }
        }
    }

    func handle(_ request: Request, context: GatewayRequestContext, subpath: String) async throws -> Response {
        let receivedAt = state.adapterEnvironment.clock()
        let channelID = context.parameters.get("channel") ?? ""
        let loaded = state.loaded.value
        guard let channel = loaded.channels[channelID] else {
            count("unknown", "unknown", WebhookRefusal.unknownChannel.outcome)
            return WebhookRefusal.unknownChannel.response
        }
        let note = Note()
        let incoming = Self.traceHeaders(request.headers)
        let response: Response
        if let tracer = tracing.tracer {
            response = try await traced(tracer, request, channel: channel.configuration, incoming: incoming, note: note) {
                try await process(request, context: context, subpath: subpath, channel: channel, loaded: loaded, receivedAt: receivedAt, note: note)
            }
        } else {
            note.traceContext = tracing.contextToStore(nil, incoming: incoming)
            response = try await process(request, context: context, subpath: subpath, channel: channel, loaded: loaded, receivedAt: receivedAt, note: note)
        }
        recent.record(
            channel: channelID, receivedAt: receivedAt, method: request.method.rawValue, subpath: subpath, outcome: note.outcome,
            status: Int(response.status.code), traceId: note.traceID, calls: note.calls)
        return response
    }

    /// Handshake, verify, normalize, commit or answer directly; `note` learns the outcome and the calls.
    func process(
        _ request: Request, context: GatewayRequestContext, subpath: String, channel: LoadedConfiguration.Channel, loaded: LoadedConfiguration,
        receivedAt: Date, note: Note
    ) async throws -> Response {
        let started = ContinuousClock.now
        let config = channel.configuration
        // The request's logger with the channel's metadata, built only when a line is logged.
        let logger = ChannelLogger(base: context.logger, channel: config.id, provider: config.provider)
        func outcome(_ o: String) {
            note.outcome = o
            count(config.id, config.provider, o)
        }
        func refuse(_ refusal: WebhookRefusal) -> Response {
            outcome(refusal.outcome)
            return refusal.response
        }

        guard state.currentPhase != .draining else { return refuse(.draining) }
        // Only the paths the provider declares reach its adapter (`/gather` of a voice provider, ...).
        if let declared = state.providers[config.provider]?.subpaths, !declared.contains(subpath) {
            return refuse(.unknownSubpath(subpath, provider: config.provider))
        }

        // The body, already collected within server.maxBodyBytes (WebhookBodyLimit).
        let body = try await request.body.collect(upTo: .max)

        var headers = HeaderFields()
        for field in request.headers { headers.add(field.name.canonicalName, field.value) }
        let target = request.head.path ?? request.uri.description
        let url = PublicURL.reconstruct(
            target: target, headers: headers, authority: request.head.authority, peer: context.remoteAddress?.ipAddress,
            server: loaded.configuration.server)
        let inbound = InboundRequest(
            method: request.method.rawValue, url: url, subpath: subpath, headers: headers,
            body: Array(buffer: body), receivedAt: receivedAt)
        let adapter = channel.adapter
        let memoryKeys = adapter.memoryKeys(for: inbound)
        if !memoryKeys.isEmpty { await state.adapterEnvironment.memory.load(memoryKeys, now: receivedAt) }

        let calls: [InboundCall]
        switch Self.run(adapter, inbound, timed: true, tracer: tracing.tracer) {
        case .answer(let answer):
            outcome("handshake")
            logger.info("handshake answered")
            return Self.response(answer)
        case .methodNotAllowed:
            return refuse(.methodNotAllowed(inbound.method, provider: config.provider))
        case .refused(let error):
            let refusal = WebhookRefusal.adapter(error)
            logger.info("webhook refused", metadata: ["gangway.reason": "\(error.message)", "gangway.status": "\(refusal.status.code)"])
            return refuse(refusal)
        case .unverified(let error, let normalized):
            let mode = config.verification
            Counter(
                label: "gangway_verification_failures_total",
                dimensions: [("channel", config.id), ("provider", config.provider), ("mode", mode.rawValue)]
            ).increment()
            activity.record(config.id) { $0.verificationFailures += 1 }
            var meta: Logger.Metadata = ["gangway.verification.mode": "\(mode.rawValue)", "gangway.reason": "\(error.message)"]
            for (k, v) in error.diagnosis { meta["gangway.check.\(k)"] = "\(v)" }
            guard mode == .report, let normalized else {
                logger.warning("webhook refused: verification failed", metadata: meta)
                return refuse(.unverified)
            }
            logger.warning("verification failed, let through (report mode)", metadata: meta)
            calls = normalized
        case .calls(let normalized):
            calls = normalized
        }

        if !memoryKeys.isEmpty {
            do {
                try await state.adapterEnvironment.memory.persist()
            } catch {
                logger.warning("adapter memory not stored; kept in this process", metadata: ["gangway.error": "\(error)"])
            }
        }
        if calls.isEmpty {
            outcome("ignored")
            logger.debug("authentic webhook with nothing to forward: ignored")
            return Self.response(adapter.acknowledgement(for: inbound))
        }
        if config.delivery == .direct, let voice = adapter.voiceReplies, calls.contains(where: \.needsVoiceReply) {
            note.calls = calls.map {
                NewDelivery(call: $0, channel: config, async: $0.needsVoiceReply ? false : nil, traceContext: note.traceContext)
            }
            return await direct(
                calls, voice: voice, inbound: inbound, channel: config, apiKey: loaded.apiKey(channelID: config.id), logger: logger.logger, note: note)
        }
        let deliveries = calls.map { NewDelivery(call: $0, channel: config, traceContext: note.traceContext) }
        note.calls = deliveries
        let result: EnqueueOutcome
        do {
            result = try await span("commit") { try await store.enqueue(deliveries, now: receivedAt) }
        } catch {
            logger.error(
                "webhook not stored: the store failed; answered 503 so that the provider retries", metadata: ["gangway.error": "\(error)"])
            return refuse(.storeUnavailable)
        }
        if result.stored > 0 { dispatcher.wake(chatbotId: config.chatbotId, channel: config.id) }
        if result.stored > 0 { counters.counter("gangway_calls_queued_total", config.id, config.provider).increment(by: result.stored) }
        if result.duplicates > 0 { counters.counter("gangway_calls_duplicate_total", config.id, config.provider).increment(by: result.duplicates) }
        outcome(result.stored == 0 ? "duplicate" : "accepted")
        IngestStage.total.record(since: started)
        logger.debug("webhook committed", metadata: ["gangway.calls.stored": "\(result.stored)", "gangway.calls.duplicates": "\(result.duplicates)"])
        return Self.response(adapter.acknowledgement(for: inbound))
    }

    /// Direct delivery: the caller waits. The chatbot API's answer becomes the provider's reply;
    /// on failure the caller hears the fallback (and the call is a dead letter). A call's end in the
    /// same request is queued as usual.
    func direct(
        _ calls: [InboundCall], voice: any VoiceChannelAdapter, inbound: InboundRequest, channel: ChannelConfiguration, apiKey: String,
        logger: Logger, note: Note = Note()
    ) async -> Response {
        let queued = calls.filter { !$0.needsVoiceReply }.map { NewDelivery(call: $0, channel: channel, traceContext: note.traceContext) }
        if !queued.isEmpty {
            do {
                _ = try await store.enqueue(queued, now: inbound.receivedAt)
                dispatcher.wake()
            } catch {
                note.outcome = WebhookRefusal.storeUnavailable.outcome
                count(channel.id, channel.provider, note.outcome)
                return WebhookRefusal.storeUnavailable.response
            }
        }
        var actions: [VoiceAction] = []
        var fellBack = false
        for call in calls where call.needsVoiceReply {
            switch await forwarder.forward(
                call, channel: channel, apiKey: apiKey, receivedAt: inbound.receivedAt, traceContext: note.traceContext, logger: logger)
            {
            case .answered(let a): actions += a
            case .fallback:
                actions = VoiceAction.fallback(channel.fallback)
                fellBack = true
            }
            if fellBack { break }
        }
        note.outcome = fellBack ? "fallback" : "answered"
        count(channel.id, channel.provider, note.outcome)
        let callback = VoiceRoutes.callbackURL(requestURL: inbound.url, channelID: channel.id)
        return Self.response(voice.render(actions, for: inbound, callbackURL: callback))
    }

    /// What the adapter made of a request.
    enum AdapterVerdict {
        case answer(AdapterResponse)
        case methodNotAllowed
        case refused(AdapterError)
        /// Verification failed; the calls are there for report mode (nil when the body did not parse).
        case unverified(AdapterError, [InboundCall]?)
        case calls([InboundCall])
    }

    /// Runs the adapter's pure steps: handshake, verify, normalize.
    /// - Parameter timed: record the `verify` and `normalize` ingest stages.
    ///   - tracer: when tracing is on, `verify` and `normalize` are child spans of the webhook's.
    static func run(_ adapter: any ChannelAdapter, _ inbound: InboundRequest, timed: Bool = false, tracer: (any Tracer)? = nil) -> AdapterVerdict {
        func step<T>(_ name: String, _ body: () throws(AdapterError) -> T) throws(AdapterError) -> T {
            guard let tracer else { return try body() }
            let span = tracer.startAnySpan(name, ofKind: .internal)
            defer { span.end() }
            do {
                return try body()
            } catch {
                span.attributes["gangway.error"] = SpanAttribute.string(error.message)
                span.setStatus(.init(code: .error))
                throw error
            }
        }
        let started = ContinuousClock.now
        do {
            if let answer = try adapter.handshake(inbound) { return .answer(answer) }
        } catch {
            return .refused(error)
        }
        guard adapter.methods.contains(inbound.method) else { return .methodNotAllowed }
        var failure: AdapterError?
        do {
            try step("verify") { () throws(AdapterError) in try adapter.verify(inbound) }
        } catch {
            guard error.kind == .unauthorized else { return .refused(error) }
            failure = error
        }
        let verified = ContinuousClock.now
        if timed { IngestStage.verify.record(verified - started) }
        defer { if timed { IngestStage.normalize.record(since: verified) } }
        let calls: [InboundCall]
        do {
            calls = try step("normalize") { () throws(AdapterError) in try adapter.normalize(inbound) }
        } catch {
            if let failure { return .unverified(failure, nil) }
            return .refused(error)
        }
        if let failure { return .unverified(failure, calls) }
        return .calls(calls)
    }

    private func count(_ channel: String, _ provider: String, _ outcome: String) {
        counters.webhook(channel, provider, outcome: outcome).increment()
        if channel != "unknown" { activity.webhook(channel, outcome: outcome) }
    }

    static func response(_ answer: AdapterResponse) -> Response {
        var headers = HTTPFields()
        if let type = answer.contentType { headers[.contentType] = type }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
