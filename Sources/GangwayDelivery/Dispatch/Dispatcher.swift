import Foundation
import GangwayCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Forwards stored calls to the chatbot API: claims due calls (one in flight per
/// conversation), sends each with its idempotency key, and records the outcome: delivered,
/// retried with backoff, or dead-lettered. A circuit breaker stops attempts while the API is
/// down. On graceful shutdown it stops claiming and lets in-flight calls finish; a call
/// cut short stays pending and is delivered again after a restart.
public final class Dispatcher: Service, Sendable {
    public struct Configuration: Sendable {
        public var maxConcurrency: Int
        public var retry: RetryPolicy
        /// How long a claimed call is held before another claim may take it.
        public var leaseSeconds: Double = 30
        /// The longest sleep between looks at the store.
        public var pollSeconds: Double = 1
        public var breakerThreshold: Int = 5
        public var breakerInitialCooldown: Double = 1
        public var breakerMaxCooldown: Double = 30
        /// Delivered calls are remembered (for dedup) this long.
        public var dedupWindowSeconds: Double = 168 * 3600

        public init(maxConcurrency: Int, retry: RetryPolicy) {
            self.maxConcurrency = maxConcurrency
            self.retry = retry
        }

        public init(upstream: UpstreamConfiguration, store: StoreConfiguration) {
            self.init(maxConcurrency: upstream.maxConcurrency, retry: upstream.retry)
            leaseSeconds = max(30, upstream.timeoutSeconds * 2 + 5)
            breakerInitialCooldown = max(0.05, min(upstream.retry.initialBackoffSeconds, 5))
            dedupWindowSeconds = store.dedupWindowHours * 3600
        }
    }

    /// Where a channel's upstream key comes from (reloadable configuration).
    public typealias KeyLookup = @Sendable (_ channelID: String) -> String

    private let store: any DeliveryStore
    private let client: ChatbotAPIClient
    private let configuration: Configuration
    private let apiKey: KeyLookup
    private let logger: Logger
    private let signal = WakeSignal()
    private let breaker: Mutex<CircuitBreakerStateMachine>
    private let inFlight = Mutex<Set<Int64>>([])
    private let stopping = Atomic<Bool>(false)

    public init(store: any DeliveryStore, client: ChatbotAPIClient, configuration: Configuration, apiKey: @escaping KeyLookup, logger: Logger) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.apiKey = apiKey
        self.logger = logger
        breaker = Mutex(
            CircuitBreakerStateMachine(
                failureThreshold: configuration.breakerThreshold, initialCooldown: configuration.breakerInitialCooldown,
                maxCooldown: configuration.breakerMaxCooldown))
    }

    /// Tells the dispatcher that calls were enqueued. While the breaker holds every attempt back
    /// (open, or half-open with its probe out) there is nothing it could start: it wakes by itself
    /// when the breaker lets a probe through, or when the probe ends. (Waking it for each webhook
    /// then cost a loop and a query per webhook; measured at about a third of the gateway's CPU at
    /// 500 webhooks/s with the API down.)
    public func wake() {
        let held = breaker.withLock { b -> Bool in
            switch b.state {
            case .closed: false
            case .open: true
            case .halfOpen(let probeInFlight, _): probeInFlight
            }
        }
        if !held { signal.notify() }
    }

    /// Whether the breaker currently holds attempts back.
    public var breakerOpen: Bool { breaker.withLock { $0.isOpen } }

    public var inFlightCount: Int { inFlight.withLock { $0.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await loop(group: &group)
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.signal.notify()
        }
        logger.info("dispatcher stopped")
    }

    private func loop(group: inout DiscardingTaskGroup) async {
        var lastRenew = Date()
        var lastHousekeeping = Date.distantPast
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            let now = Date()
            let free = configuration.maxConcurrency - inFlightCount
            let permitted = breaker.withLock { $0.permits(now: now) }
            let limit = min(free, permitted)
            var claimed: [Delivery] = []
            if limit > 0 {
                do {
                    claimed = try await store.claim(limit: limit, now: now, lease: configuration.leaseSeconds)
                } catch {
                    logger.error("claim failed", metadata: ["gangway.error": "\(error)"])
                    await signal.wait(timeout: configuration.pollSeconds)
                    continue
                }
            }
            let leaseEnds = now.addingTimeInterval(configuration.leaseSeconds)
            for delivery in claimed {
                inFlight.withLock { _ = $0.insert(delivery.id) }
                breaker.withLock { $0.started() }
                group.addTask {
                    await self.deliver(delivery, leaseEnds: leaseEnds)
                    self.inFlight.withLock { _ = $0.remove(delivery.id) }
                    self.signal.notify()
                }
            }
            if now.timeIntervalSince(lastRenew) > configuration.leaseSeconds / 3 {
                lastRenew = now
                let ids = inFlight.withLock { Array($0) }
                try? await store.renew(ids: ids, until: now.addingTimeInterval(configuration.leaseSeconds))
            }
            if now.timeIntervalSince(lastHousekeeping) > 600 {
                lastHousekeeping = now
                if let n = try? await store.expireDelivered(before: now.addingTimeInterval(-configuration.dedupWindowSeconds)), n > 0 {
                    logger.debug("expired delivered calls past the dedup window", metadata: ["gangway.count": "\(n)"])
                }
            }
            // More may be due at once: look again without sleeping.
            if limit > 0 && claimed.count == limit { continue }
            await signal.wait(timeout: await sleepTime(now: now))
        }
    }

    /// How long to wait when nothing more can be claimed now: until the breaker reopens or the next
    /// call falls due. Calls due already wait behind their conversation's head, the breaker or the
    /// concurrency limit; a delivery that ends signals. (Counting those as due made the loop spin
    /// every 2 ms while the API was down, about a quarter of a core; measured.)
    private func sleepTime(now: Date) async -> Double {
        var wait = configuration.pollSeconds
        if let reopen = breaker.withLock({ $0.reopensAt }) { wait = min(wait, max(0, reopen.timeIntervalSince(now))) }
        if let due = try? await store.nextDue(after: now) { wait = min(wait, max(0, due.timeIntervalSince(now))) }
        return max(wait, 0.002)
    }

    private func deliver(_ d: Delivery, leaseEnds: Date) async {
        var log = logger
        log[metadataKey: "gangway.delivery.id"] = "\(d.id)"
        log[metadataKey: "gangway.channel.id"] = "\(d.channel)"
        let dimensions = [("channel", d.channel), ("provider", d.provider)]
        let started = Date()
        let result: AttemptResult
        do {
            let response = try await client.send(
                kind: d.kind, chatbotId: d.chatbotId, envelope: d.envelope, apiKey: apiKey(d.channel), idempotencyKey: d.key, logger: log)
            result = .response(status: response.status, retryAfter: response.header("retry-after"), error: response.errorMessage.map { String($0.prefix(300)) })
        } catch {
            result = .transportError(String("\(error)".prefix(300)))
        }
        let now = Date()
        Timer(label: "gangway_upstream_attempt_seconds", dimensions: dimensions).recordSeconds(now.timeIntervalSince(started))
        switch result {
        case .response(let status, _, _) where status < 500 && status != 429:
            breaker.withLock { $0.succeeded() }
        default:
            breaker.withLock { $0.failed(now: now) }
        }
        let outcome = configuration.retry.decide(result, attempts: d.attempts + 1, queuedAt: d.queuedAt, now: now, random: Double.random(in: 0...1))
        switch outcome {
        case .delivered(let status):
            Counter(label: "gangway_calls_delivered_total", dimensions: dimensions).increment()
            Timer(label: "gangway_delivery_latency_seconds", dimensions: dimensions).recordSeconds(now.timeIntervalSince(d.createdAt))
            log.debug("call delivered", metadata: ["gangway.status": "\(status)", "gangway.attempts": "\(d.attempts + 1)"])
        case .retry(let at, let status, let error):
            Counter(label: "gangway_calls_retried_total", dimensions: dimensions + [("reason", Self.reason(status))]).increment()
            log.info(
                "call will be retried",
                metadata: ["gangway.status": "\(status.map(String.init) ?? "-")", "gangway.error": "\(error)",
                           "gangway.retry.in": "\(String(format: "%.2f", at.timeIntervalSince(now)))s"])
        case .dead(let status, let error):
            Counter(label: "gangway_calls_dead_lettered_total", dimensions: dimensions + [("reason", Self.reason(status))]).increment()
            log.warning("call dead-lettered", metadata: ["gangway.status": "\(status.map(String.init) ?? "-")", "gangway.error": "\(error)"])
        }
        await record(outcome, of: d, at: now, leaseEnds: leaseEnds, logger: log)
    }

    /// Writes an attempt's outcome to the store. When the store fails (the database is restarting)
    /// it tries again with backoff while the claim's lease lasts, so that the conversation moves on
    /// as soon as the store is back rather than a whole lease later. Past the lease (another claim
    /// may hold the call by then), or 5 s into a shutdown, it gives up: the call stays pending and
    /// is sent again under the same idempotency key.
    private func record(_ outcome: AttemptOutcome, of d: Delivery, at now: Date, leaseEnds: Date, logger log: Logger) async {
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
                if failures > 0 { log.info("outcome recorded after the store came back", metadata: ["gangway.failures": "\(failures)"]) }
                return
            } catch {
                failures += 1
                let clock = Date()
                if stopping.load(ordering: .relaxed) && stopNoticed == nil { stopNoticed = clock }
                let givingUp = clock.addingTimeInterval(pause) >= leaseEnds || (stopNoticed.map { clock.timeIntervalSince($0) >= 5 } ?? false)
                if givingUp {
                    log.error(
                        "recording the outcome failed; the call stays pending and is sent again under the same key when its lease ends",
                        metadata: ["gangway.error": "\(error)", "gangway.failures": "\(failures)"])
                    return
                }
                if failures == 1 { log.warning("recording the outcome failed; trying again", metadata: ["gangway.error": "\(error)"]) }
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
