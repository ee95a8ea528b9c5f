import Foundation
import GangwayCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Forwards stored calls to the chatbot API: claims due calls (one in flight per
/// conversation), sends each with its idempotency key, and records the outcome: delivered,
/// retried with backoff, or dead-lettered.
///
/// Each chatbot (its chatbotId and API key) has its own lane: its own circuit breaker and its
/// own `maxConcurrency`. A chatbot that fails every call opens only its own breaker; its claimed
/// calls are handed back to the store until the breaker lets a probe through, so another
/// chatbot's calls go out as fast as when all are healthy. A chatbot at its concurrency limit
/// keeps a few claimed calls waiting in memory (they are leased) and hands back the rest.
///
/// On graceful shutdown it stops claiming, hands back what waits and lets in-flight calls
/// finish; a call cut short stays pending and is delivered again after a restart.
public final class Dispatcher: Service, Sendable {
    public struct Configuration: Sendable {
        /// Calls in flight at once per chatbot.
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
        /// How many chatbots the configuration names: the calls in flight in all lanes together are
        /// at most `maxConcurrency` times this (and at most 4096).
        public var chatbots: Int = 1
        /// The configured channels' ids. When every one of them is held back (breaker open, or
        /// lane full) the dispatcher does not query the store at all: only calls of a channel
        /// removed from the configuration could be claimed, and they wait for the next probe.
        /// Empty: unknown, the store is always asked.
        public var channels: Set<String> = []

        public init(maxConcurrency: Int, retry: RetryPolicy) {
            self.maxConcurrency = maxConcurrency
            self.retry = retry
        }

        public init(upstream: UpstreamConfiguration, store: StoreConfiguration, chatbots: Int = 1, channels: Set<String> = []) {
            self.init(maxConcurrency: upstream.maxConcurrency, retry: upstream.retry)
            self.channels = channels
            leaseSeconds = max(30, upstream.timeoutSeconds * 2 + 5)
            breakerInitialCooldown = max(0.05, min(upstream.retry.initialBackoffSeconds, 5))
            dedupWindowSeconds = store.dedupWindowHours * 3600
            self.chatbots = max(1, chatbots)
        }

        /// Calls claimed from the store at once, over every lane.
        public var totalCapacity: Int { min(4096, max(1, maxConcurrency) * max(1, chatbots)) }
    }

    /// Where a channel's upstream key comes from (reloadable configuration).
    public typealias KeyLookup = @Sendable (_ channelID: String) -> String

    /// One chatbot's breaker, its calls in flight and the claimed calls waiting for a slot.
    struct Lane: Sendable {
        var breaker: CircuitBreakerStateMachine
        /// The channels whose calls go through this lane (claims pass over them while it is held).
        var channels: Set<String> = []
        var running = 0
        var waiting: [Delivery] = []
    }

    /// What to do with a claimed call.
    enum Admission {
        case start
        case wait
        case handBack(until: Date)
    }

    let store: any DeliveryStore
    let client: ChatbotAPIClient
    private let settings: Mutex<Configuration>
    let apiKey: KeyLookup
    let logger: Logger
    private let signal = WakeSignal()
    let lanes = Mutex<[String: Lane]>([:])
    /// Every claimed call this dispatcher holds (running or waiting), for lease renewal.
    private let held = Mutex<Set<Int64>>([])
    private let running = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// False from ``holdUntilStoreIsReady()`` until ``storeIsReady()``: nothing is claimed from a
    /// store whose schema is not there yet.
    private let ready = Atomic<Bool>(true)

    /// Each channel's totals (forwarded, retried, dead) for the console.
    public let activity: ChannelActivity
    /// A client span per attempt, in the trace stored with the call.
    public let tracing: CallTracing
    /// The metrics of delivered calls, per channel.
    let deliveryMetrics = DeliveryMetrics()

    public init(
        store: any DeliveryStore, client: ChatbotAPIClient, configuration: Configuration, apiKey: @escaping KeyLookup, logger: Logger,
        activity: ChannelActivity = ChannelActivity(), tracing: CallTracing = .off
    ) {
        self.activity = activity
        self.tracing = tracing
        self.store = store
        self.client = client
        self.settings = Mutex(configuration)
        self.apiKey = apiKey
        self.logger = logger
    }

    /// The configuration in force.
    public var configuration: Configuration { settings.withLock { $0 } }

    /// Applies a reloaded configuration: retry policy, concurrency, lease, breaker and dedup
    /// window take effect from the next claim (calls in flight finish under the old one).
    public func update(configuration: Configuration) {
        settings.withLock { $0 = configuration }
        signal.notify()
    }

    /// The lane of a call: its chatbot and the API key it is sent with.
    func laneKey(chatbotId: String, channel: String) -> String {
        "\(chatbotId)\u{1F}\(apiKey(channel))"
    }

    /// Tells the dispatcher that calls were enqueued.
    public func wake() { signal.notify() }

    /// Keeps the dispatcher from claiming until ``storeIsReady()`` (the gateway prepares the store
    /// after the services started: a PostgreSQL client must run first).
    public func holdUntilStoreIsReady() { ready.store(false, ordering: .relaxed) }

    /// The store is prepared: claims may start.
    public func storeIsReady() {
        ready.store(true, ordering: .relaxed)
        signal.notify()
    }

    /// Tells the dispatcher that calls of this chatbot were enqueued. While that chatbot's breaker
    /// holds every attempt back there is nothing it could start: it looks again when the breaker
    /// lets a probe through, so that a webhook for a chatbot that is down costs no loop and no query.
    public func wake(chatbotId: String, channel: String) {
        let key = laneKey(chatbotId: chatbotId, channel: channel)
        let held = lanes.withLock { lanes -> Bool in
            guard let lane = lanes[key] else { return false }
            switch lane.breaker.state {
            case .closed: return false
            case .open: return true
            case .halfOpen(let probeInFlight, _): return probeInFlight
            }
        }
        if !held { signal.notify() }
    }

    /// Whether any chatbot's breaker currently holds attempts back.
    public var breakerOpen: Bool { lanes.withLock { $0.values.contains { $0.breaker.isOpen } } }

    /// Whether this chatbot's breaker currently holds attempts back.
    public func breakerOpen(chatbotId: String, channel: String) -> Bool {
        let key = laneKey(chatbotId: chatbotId, channel: channel)
        return lanes.withLock { $0[key]?.breaker.isOpen ?? false }
    }

    /// Calls being sent now.
    public var inFlightCount: Int { running.load(ordering: .relaxed) }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await loop(group: &group)
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.signal.notify()
        }
        // Claimed calls that never started go back to the store, due now.
        let waiting = lanes.withLock { lanes in
            var ids: [Int64] = []
            for key in lanes.keys {
                ids += lanes[key]?.waiting.map(\.id) ?? []
                lanes[key]?.waiting = []
            }
            return ids
        }
        try? await store.postpone(ids: waiting, until: Date())
        logger.info("dispatcher stopped")
    }

    private func loop(group: inout DiscardingTaskGroup) async {
        var lastRenew = Date()
        var lastHousekeeping = Date.distantPast
        while !stopping.load(ordering: .relaxed) && !Task.isCancelled {
            guard ready.load(ordering: .relaxed) else {
                await signal.wait(timeout: 0.1)
                continue
            }
            let config = configuration
            let now = Date()
            // Calls waiting in a lane do not count: a chatbot at its limit must not use up the
            // claims that another chatbot's calls need (its surplus is handed back instead).
            let limit = config.totalCapacity - running.load(ordering: .relaxed)
            var claimed: [Delivery] = []
            if limit > 0 {
                // Lanes whose breaker holds every call back: their calls are not even claimed.
                // So are lanes that are full (every slot busy, as many calls waiting): claiming
                // their heads would only hand them back again.
                let cap = max(1, config.maxConcurrency)
                let passedOver = lanes.withLock { lanes in
                    lanes.values.reduce(into: Set<String>()) { out, lane in
                        if lane.breaker.holdsBack(now: now) || (lane.running >= cap && lane.waiting.count >= cap) { out.formUnion(lane.channels) }
                    }
                }
                // Every channel held back: a claim would walk every due head only to pass them all
                // over (a scan that grows with the backlog while a chatbot is down).
                let allHeldBack = !config.channels.isEmpty && config.channels.isSubset(of: passedOver)
                do {
                    if !allHeldBack {
                        claimed = try await store.claim(limit: limit, now: now, lease: config.leaseSeconds, excludingChannels: passedOver)
                    }
                } catch {
                    logger.error("claim failed", metadata: ["gangway.error": "\(error)"])
                    await signal.wait(timeout: config.pollSeconds)
                    continue
                }
            }
            var handBack: [Date: [Int64]] = [:]
            for delivery in claimed {
                switch admit(delivery, now: now, config: config) {
                case .start:
                    held.withLock { _ = $0.insert(delivery.id) }
                    group.addTask { await self.work(first: delivery) }
                case .wait:
                    held.withLock { _ = $0.insert(delivery.id) }
                case .handBack(let until):
                    handBack[until, default: []].append(delivery.id)
                }
            }
            for (until, ids) in handBack {
                do {
                    try await store.postpone(ids: ids, until: until)
                } catch {
                    logger.warning("handing back calls failed; their lease ends by itself", metadata: ["gangway.error": "\(error)"])
                }
            }
            if now.timeIntervalSince(lastRenew) > config.leaseSeconds / 3 {
                lastRenew = now
                let ids = held.withLock { Array($0) }
                try? await store.renew(ids: ids, until: now.addingTimeInterval(config.leaseSeconds))
            }
            if now.timeIntervalSince(lastHousekeeping) > 600 {
                lastHousekeeping = now
                if let n = try? await store.expireDelivered(before: now.addingTimeInterval(-config.dedupWindowSeconds)), n > 0 {
                    logger.debug("expired delivered calls past the dedup window", metadata: ["gangway.count": "\(n)"])
                }
            }
            // More may be due at once: look again without sleeping (unless all of it was handed back).
            if limit > 0 && claimed.count == limit && handBack.isEmpty { continue }
            await signal.wait(timeout: await sleepTime(now: now, config: config))
        }
    }

    /// Whether a claimed call starts now, waits in its lane for a free slot, or goes back to the
    /// store until its chatbot's breaker lets calls through again.
    private func admit(_ d: Delivery, now: Date, config: Configuration) -> Admission {
        let key = laneKey(chatbotId: d.chatbotId, channel: d.channel)
        return lanes.withLock { lanes in
            var lane =
                lanes[key]
                ?? Lane(
                    breaker: CircuitBreakerStateMachine(
                        failureThreshold: config.breakerThreshold, initialCooldown: config.breakerInitialCooldown,
                        maxCooldown: config.breakerMaxCooldown))
            defer { lanes[key] = lane }
            lane.channels.insert(d.channel)
            let permitted = lane.breaker.permits(now: now)
            if permitted == 0 {
                // Its lease is released and its due time kept: claims pass over this lane's
                // channels until the breaker lets calls through, then it goes first again.
                return .handBack(until: max(d.nextAttemptAt, now))
            }
            if lane.running < max(1, config.maxConcurrency) {
                lane.running += 1
                lane.breaker.started()
                running.add(1, ordering: .relaxed)
                return .start
            }
            if permitted > 1, lane.waiting.count < max(1, config.maxConcurrency) {
                lane.waiting.append(d)
                return .wait
            }
            return .handBack(until: now.addingTimeInterval(0.25))
        }
    }

    /// Delivers a call, then, while its lane has claimed calls waiting and its breaker lets them
    /// through, the next of them in the same task. Calls that can no longer go (the breaker
    /// opened, or shutdown) are handed back.
    private func work(first: Delivery) async {
        var next: Delivery? = first
        while let d = next {
            let started = Date()
            await deliver(d, leaseEnds: started.addingTimeInterval(configuration.leaseSeconds * 2 / 3))
            held.withLock { _ = $0.remove(d.id) }
            let key = laneKey(chatbotId: d.chatbotId, channel: d.channel)
            let stop = stopping.load(ordering: .relaxed)
            let now = Date()
            var handBack: [Int64] = []
            next = lanes.withLock { lanes -> Delivery? in
                guard var lane = lanes[key] else { return nil }
                defer { lanes[key] = lane }
                lane.running -= 1
                guard !lane.waiting.isEmpty, !stop else { return nil }
                if lane.breaker.permits(now: now) == 0 {
                    handBack = lane.waiting.map(\.id)
                    lane.waiting = []
                    return nil
                }
                lane.running += 1
                lane.breaker.started()
                return lane.waiting.removeFirst()
            }
            if next == nil { running.subtract(1, ordering: .relaxed) }
            if !handBack.isEmpty {
                held.withLock { h in for id in handBack { h.remove(id) } }
                try? await store.postpone(ids: handBack, until: now)
            }
        }
        signal.notify()
    }

    /// How long to wait when nothing more can be claimed now: until the next call falls due (a
    /// handed-back call is due when its breaker reopens). Calls due already wait behind their
    /// conversation's head or the concurrency limit; a delivery that ends signals. (Counting those
    /// as due made the loop spin every 2 ms while the API was down, about a quarter of a core.)
    private func sleepTime(now: Date, config: Configuration) async -> Double {
        var wait = config.pollSeconds
        // Calls passed over for an open breaker are due already: look again when it reopens.
        if let reopen = lanes.withLock({ $0.values.compactMap(\.breaker.reopensAt).min() }) {
            wait = min(wait, max(0, reopen.timeIntervalSince(now)))
        }
        if let due = try? await store.nextDue(after: now) { wait = min(wait, max(0, due.timeIntervalSince(now))) }
        return max(wait, 0.002)
    }
}
