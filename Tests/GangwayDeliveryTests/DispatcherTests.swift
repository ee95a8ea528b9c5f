import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The dispatcher against a real stand-in API on loopback.
@Suite struct DispatcherTests {
    static let logger: Logger = {
        var l = Logger(label: "dispatcher-test")
        l.logLevel = .critical
        return l
    }()

    func ch(_ id: String = "ch1") -> ChannelConfiguration {
        var c = ChannelConfiguration(id: id, name: "Test", provider: "test", chatbotId: "bot_1")
        c.async = true
        return c
    }

    func call(_ key: String, user: String) -> InboundCall {
        .handle(key: key, providerId: user, message: InboundMessage(id: key, type: .text, text: "m \(key)"), provider: ProviderInfo(name: "test"))
    }

    /// Runs a dispatcher over a fresh store against `baseURL` while `body` runs.
    func withDispatcher(
        baseURL: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2),
        maxConcurrency: Int = 16, timeout: Double = 5, breakerThreshold: Int = 1000,
        wrap: (any DeliveryStore) -> any DeliveryStore = { $0 },
        _ body: @Sendable (any DeliveryStore, Dispatcher) async throws -> Void
    ) async throws {
        let (sqlite, _) = try StoreFactory.makeSQLite()
        try await sqlite.prepare()
        let store = wrap(sqlite)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = ChatbotAPIClient(httpClient: http, baseURL: baseURL, timeout: timeout)
        var config = Dispatcher.Configuration(maxConcurrency: maxConcurrency, retry: retry)
        config.pollSeconds = 0.05
        config.breakerThreshold = breakerThreshold
        config.breakerInitialCooldown = 0.3
        let dispatcher = Dispatcher(store: store, client: client, configuration: config, apiKey: { "key-\($0)" }, logger: Self.logger)
        let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(store, dispatcher)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                try? await http.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await http.shutdown()
    }

    @Test func sendsTheDocumentedRequest() async throws {
        let standIn = StandIn()
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base) { store, dispatcher in
                var c = call("wamid.1", user: "4912345")
                c.contact = InboundContact(name: "Max")
                _ = try await store.enqueue([NewDelivery(call: c, channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { standIn.calls.count == 1 })
                #expect(try await eventually { try await store.statistics().delivered == 1 })
            }
        }
        let r = try #require(standIn.calls.first)
        #expect(r.path == "/v1/chatbots/bot_1/conversations/handle")
        #expect(r.headers["x-chatcaptain-key"] == "key-ch1")
        #expect(r.headers["idempotency-key"] == "ch1:wamid.1")
        #expect(r.headers["content-type"] == "application/json")
        #expect(r.body["chatbotId"]?.string == "bot_1")
        #expect(r.body["channelId"]?.string == "ch1")
        #expect(r.body["channelName"]?.string == "Test")
        #expect(r.body["providerId"]?.string == "4912345")
        #expect(r.body["async"] == .bool(true))
        #expect(r.body["event"] == nil)
        #expect(r.body["callee"] == nil)
        #expect(r.body[path: "message", "text"]?.string == "m wamid.1")
        #expect(r.body[path: "contact", "name"]?.string == "Max")
        #expect(!r.body.serialized().contains("null"))
    }

    @Test func keepsOrderPerConversationAndRunsConversationsInParallel() async throws {
        let standIn = StandIn { _, _ in StandIn.Answer(delay: Double.random(in: 0...0.01)) }
        let users = (0..<8).map { "user\($0)" }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base) { store, dispatcher in
                for i in 0..<15 {
                    for u in users { _ = try await store.enqueue([NewDelivery(call: call("\(u)-\(i)", user: u), channel: ch())], now: Date()) }
                    dispatcher.wake()
                }
                #expect(try await eventually(20) { try await store.statistics().delivered == 120 })
            }
        }
        #expect(standIn.maxInFlightPerConversation.withLock { $0 } == 1)
        for u in users {
            let seen = standIn.calls.filter { $0.body["providerId"]?.string == u }.compactMap { $0.body[path: "message", "id"]?.string }
            #expect(seen == (0..<15).map { "\(u)-\($0)" })
        }
    }

    @Test func retriesWithTheSameKeyUntilDelivered() async throws {
        let standIn = StandIn { index, _ in index <= 2 ? StandIn.Answer(status: 503) : StandIn.Answer() }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base) { store, dispatcher in
                _ = try await store.enqueue([NewDelivery(call: call("m1", user: "u"), channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { try await store.statistics().delivered == 1 })
                let d = try #require(try await store.list(state: .delivered, channel: nil, limit: 1).first)
                #expect(d.attempts == 3)
            }
        }
        #expect(standIn.calls.map { $0.headers["idempotency-key"] } == ["ch1:m1", "ch1:m1", "ch1:m1"])
    }

    @Test func retryAfterIsHonoured() async throws {
        let standIn = StandIn { index, _ in index == 1 ? StandIn.Answer(status: 429, headers: ["Retry-After": "1"]) : StandIn.Answer() }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base) { store, dispatcher in
                _ = try await store.enqueue([NewDelivery(call: call("m1", user: "u"), channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { try await store.statistics().delivered == 1 })
            }
        }
        let calls = standIn.calls
        #expect(calls.count == 2)
        #expect(calls[1].at.timeIntervalSince(calls[0].at) >= 0.95)
    }

    @Test func clientErrorsAreDeadLetteredAtOnceAndDoNotBlockTheConversation() async throws {
        let standIn = StandIn { _, body in
            body[path: "message", "id"]?.string == "bad" ? StandIn.Answer(status: 422, body: #"{"error":"invalid providerId"}"#) : StandIn.Answer()
        }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base) { store, dispatcher in
                _ = try await store.enqueue(
                    [NewDelivery(call: call("bad", user: "u"), channel: ch()), NewDelivery(call: call("good", user: "u"), channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { try await store.statistics().delivered == 1 })
                let dead = try #require(try await store.list(state: .dead, channel: nil, limit: 5).first)
                #expect(dead.key == "ch1:bad")
                #expect(dead.lastStatus == 422)
                #expect(dead.lastError?.contains("invalid providerId") == true)
                #expect(dead.attempts == 1)
            }
        }
        #expect(standIn.calls.count == 2)
    }

    @Test func givesUpAfterMaxAttemptsWithTheLastError() async throws {
        let standIn = StandIn { _, _ in StandIn.Answer(status: 500) }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base, retry: RetryPolicy(maxAttempts: 3, initialBackoffSeconds: 0.01, maxBackoffSeconds: 0.02)) {
                store, dispatcher in
                _ = try await store.enqueue([NewDelivery(call: call("m", user: "u"), channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { try await store.statistics().dead == 1 })
                let dead = try #require(try await store.list(state: .dead, channel: nil, limit: 1).first)
                #expect(dead.attempts == 3)
                #expect(dead.lastStatus == 500)
                #expect(dead.lastError?.contains("gave up after 3 attempts") == true)
            }
        }
    }

    @Test func aFailingConversationDoesNotHoldUpOthers() async throws {
        let standIn = StandIn { _, body in body["providerId"]?.string == "stuck" ? StandIn.Answer(status: 503) : StandIn.Answer() }
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base, retry: RetryPolicy(maxAttempts: 100, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.1)) {
                store, dispatcher in
                _ = try await store.enqueue([NewDelivery(call: call("s1", user: "stuck"), channel: ch())], now: Date())
                for i in 0..<20 { _ = try await store.enqueue([NewDelivery(call: call("f\(i)", user: "free\(i % 4)"), channel: ch())], now: Date()) }
                dispatcher.wake()
                #expect(try await eventually { try await store.statistics().delivered == 20 })
                #expect(try await store.statistics().pending == 1)
            }
        }
    }

    @Test func breakerStopsAttemptsWhileTheAPIIsDownAndCallsWaitOnDisk() async throws {
        // A port nobody listens on: every attempt is a connection error.
        let standIn = StandIn()
        let deadBase = try await withServer(standIn.router()) { base in base }  // bound, then closed
        try await withDispatcher(
            baseURL: deadBase, retry: RetryPolicy(maxAttempts: 1000, initialBackoffSeconds: 0.01, maxBackoffSeconds: 0.01), timeout: 1,
            breakerThreshold: 3
        ) { store, dispatcher in
            for i in 0..<50 { _ = try await store.enqueue([NewDelivery(call: call("m\(i)", user: "u\(i)"), channel: ch())], now: Date()) }
            dispatcher.wake()
            try await Task.sleep(for: .seconds(1.5))
            #expect(dispatcher.breakerOpen)
            let attempts = try await store.list(state: .pending, channel: nil, limit: 100).reduce(0) { $0 + $1.attempts }
            // Without the breaker 50 conversations would each have been tried many times.
            #expect(attempts < 30, "attempts while down: \(attempts)")
            #expect(try await store.statistics().pending == 50)
        }
    }

    @Test func anOutcomeTheStoreCouldNotTakeIsRecordedWhenItIsBackNotAWholeLeaseLater() async throws {
        // The database restarts while a call is in flight: its outcome cannot be written at first.
        // The conversation's next call must go out as soon as the store answers again, not when
        // the first call's lease (30 s) ends; and the first call is sent once.
        let standIn = StandIn()
        let down = OutcomeFailingStore.Switch()
        try await withServer(standIn.router()) { base in
            try await withDispatcher(baseURL: base, wrap: { OutcomeFailingStore(base: $0, down: down) }) { store, dispatcher in
                _ = try await store.enqueue([NewDelivery(call: call("a1", user: "u"), channel: ch())], now: Date())
                _ = try await store.enqueue([NewDelivery(call: call("a2", user: "u"), channel: ch())], now: Date())
                dispatcher.wake()
                #expect(try await eventually { standIn.calls.count == 1 })
                try await Task.sleep(for: .milliseconds(300))
                #expect(standIn.calls.count == 1, "a2 waits behind a1 while a1's outcome is not recorded")
                down.on.store(false, ordering: .relaxed)
                let back = Date()
                #expect(try await eventually(10) { try await store.statistics().delivered == 2 })
                #expect(Date().timeIntervalSince(back) < 5, "a2 went out \(Date().timeIntervalSince(back)) s after the store came back")
            }
        }
        #expect(standIn.calls.compactMap { $0.headers["idempotency-key"] } == ["ch1:a1", "ch1:a2"])
    }
}

/// A store whose outcome writes fail while `down` is on, as during a database restart.
struct OutcomeFailingStore: DeliveryStore {
    final class Switch: Sendable {
        let on = Atomic<Bool>(true)
        var isOn: Bool { on.load(ordering: .relaxed) }
    }
    struct Down: Error {}
    let base: any DeliveryStore
    let down: Switch

    func prepare() async throws { try await base.prepare() }
    func enqueue(_ calls: [NewDelivery], now: Date) async throws -> EnqueueOutcome { try await base.enqueue(calls, now: now) }
    func recordDead(_ call: NewDelivery, status: Int?, error: String, now: Date) async throws {
        try await base.recordDead(call, status: status, error: error, now: now)
    }
    func claim(limit: Int, now: Date, lease: Double) async throws -> [Delivery] { try await base.claim(limit: limit, now: now, lease: lease) }
    func renew(ids: [Int64], until: Date) async throws { try await base.renew(ids: ids, until: until) }
    func markDelivered(id: Int64, status: Int, now: Date) async throws {
        if down.isOn { throw Down() }
        try await base.markDelivered(id: id, status: status, now: now)
    }
    func markRetry(id: Int64, status: Int?, error: String, nextAttemptAt: Date) async throws {
        if down.isOn { throw Down() }
        try await base.markRetry(id: id, status: status, error: error, nextAttemptAt: nextAttemptAt)
    }
    func markDead(id: Int64, status: Int?, error: String, now: Date) async throws {
        if down.isOn { throw Down() }
        try await base.markDead(id: id, status: status, error: error, now: now)
    }
    func postpone(ids: [Int64], until: Date) async throws { try await base.postpone(ids: ids, until: until) }
    func nextDue(after: Date) async throws -> Date? { try await base.nextDue(after: after) }
    func list(state: DeliveryState?, channel: String?, limit: Int) async throws -> [Delivery] {
        try await base.list(state: state, channel: channel, limit: limit)
    }
    func get(id: Int64) async throws -> Delivery? { try await base.get(id: id) }
    func replay(id: Int64, now: Date) async throws -> Int { try await base.replay(id: id, now: now) }
    func replayAll(channel: String?, now: Date) async throws -> Int { try await base.replayAll(channel: channel, now: now) }
    func purgeDead(olderThan: Date?) async throws -> Int { try await base.purgeDead(olderThan: olderThan) }
    func expireDelivered(before: Date) async throws -> Int { try await base.expireDelivered(before: before) }
    func statistics() async throws -> StoreStatistics { try await base.statistics() }
    func ping() async throws { try await base.ping() }
}

/// Breaker and concurrency are per chatbot (chatbotId and API key): a chatbot that fails every
/// call never delays another's calls (issue 12).
@Suite struct PerChatbotLaneTests {
    func ch(_ id: String, bot: String) -> ChannelConfiguration {
        ChannelConfiguration(id: id, name: id, provider: "test", chatbotId: bot)
    }

    func call(_ key: String, user: String) -> InboundCall {
        .handle(key: key, providerId: user, message: InboundMessage(id: key, type: .text, text: "m \(key)"), provider: ProviderInfo(name: "test"))
    }

    /// Delivers `count` calls of bot_good (while bot_bad's calls fail, when `withBadChatbot`) and
    /// returns how long bot_good's took.
    func goodChatbotTime(withBadChatbot: Bool, count: Int = 60) async throws -> Double {
        // bot_bad answers 503 after 50 ms; bot_good 200 after 20 ms.
        let standIn = StandIn { _, json in
            json["chatbotId"]?.string == "bot_bad" ? StandIn.Answer(status: 503, delay: 0.05) : StandIn.Answer(delay: 0.02)
        }
        return try await withServer(standIn.router()) { base in
            let (store, _) = try StoreFactory.makeSQLite()
            try await store.prepare()
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = ChatbotAPIClient(httpClient: http, baseURL: base, timeout: 5)
            var config = Dispatcher.Configuration(
                maxConcurrency: 4, retry: RetryPolicy(maxAttempts: 1000, initialBackoffSeconds: 0.01, maxBackoffSeconds: 0.05))
            config.pollSeconds = 0.05
            config.breakerThreshold = 3
            config.breakerInitialCooldown = 0.5
            config.chatbots = 2
            let dispatcher = Dispatcher(store: store, client: client, configuration: config, apiKey: { "key-\($0)" }, logger: DispatcherTests.logger)
            let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: DispatcherTests.logger))
            let elapsed: Double = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                if withBadChatbot {
                    // Many conversations of the failing chatbot, due first.
                    for i in 0..<200 {
                        _ = try await store.enqueue([NewDelivery(call: call("b\(i)", user: "bu\(i)"), channel: ch("bad", bot: "bot_bad"))], now: Date())
                    }
                    dispatcher.wake()
                    try await Task.sleep(for: .milliseconds(300))
                }
                let start = Date()
                for i in 0..<count {
                    _ = try await store.enqueue([NewDelivery(call: call("g\(i)", user: "gu\(i % 20)"), channel: ch("good", bot: "bot_good"))], now: Date())
                }
                dispatcher.wake(chatbotId: "bot_good", channel: "good")
                let done = try await eventually(20) {
                    standIn.calls.filter { $0.body["chatbotId"]?.string == "bot_good" }.count >= count
                }
                #expect(done)
                let elapsed = Date().timeIntervalSince(start)
                if withBadChatbot {
                    #expect(dispatcher.breakerOpen(chatbotId: "bot_bad", channel: "bad"))
                    #expect(!dispatcher.breakerOpen(chatbotId: "bot_good", channel: "good"))
                    // Nothing of the failing chatbot was lost or burnt through its attempts.
                    let bad = try await store.list(state: .pending, channel: "bad", limit: 1000)
                    #expect(bad.count == 200)
                    #expect(bad.map(\.attempts).max() ?? 0 < 50)
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return elapsed
            }
            try await http.shutdown()
            return elapsed
        }
    }

    @Test func aFailingChatbotDoesNotSlowAnotherOne() async throws {
        let healthy = try await goodChatbotTime(withBadChatbot: false)
        let beside = try await goodChatbotTime(withBadChatbot: true)
        print("lanes: 60 calls of a healthy chatbot in \(healthy) s alone, \(beside) s beside a chatbot that fails every call")
        // Before lanes, one breaker for all: the good chatbot's calls waited behind the open breaker
        // (seconds). Now they go as fast as when all are healthy, within scheduling noise.
        #expect(beside < max(healthy * 2, healthy + 0.5), "healthy alone \(healthy) s, beside a failing chatbot \(beside) s")
    }

    @Test func concurrencyIsPerChatbot() async throws {
        // One slow chatbot (2 s per call) uses its 2 slots; the other's calls still go at once.
        let standIn = StandIn { _, json in StandIn.Answer(delay: json["chatbotId"]?.string == "bot_slow" ? 2 : 0) }
        try await withServer(standIn.router()) { base in
            let (store, _) = try StoreFactory.makeSQLite()
            try await store.prepare()
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = ChatbotAPIClient(httpClient: http, baseURL: base, timeout: 5)
            var config = Dispatcher.Configuration(maxConcurrency: 2, retry: RetryPolicy())
            config.pollSeconds = 0.05
            config.chatbots = 2
            let dispatcher = Dispatcher(store: store, client: client, configuration: config, apiKey: { _ in "k" }, logger: DispatcherTests.logger)
            let group = ServiceGroup(configuration: .init(services: [dispatcher], logger: DispatcherTests.logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for i in 0..<6 {
                    _ = try await store.enqueue([NewDelivery(call: call("s\(i)", user: "su\(i)"), channel: ch("slow", bot: "bot_slow"))], now: Date())
                }
                dispatcher.wake()
                try await Task.sleep(for: .milliseconds(200))
                let start = Date()
                for i in 0..<10 {
                    _ = try await store.enqueue([NewDelivery(call: call("f\(i)", user: "fu\(i)"), channel: ch("fast", bot: "bot_fast"))], now: Date())
                }
                dispatcher.wake()
                #expect(try await eventually(5) { standIn.calls.filter { $0.body["chatbotId"]?.string == "bot_fast" }.count == 10 })
                // Behind the slow chatbot's calls the fast ones would have waited 2 s at least.
                #expect(Date().timeIntervalSince(start) < 1.8, "the fast chatbot waited for the slow one's slots")
                let slowSoFar = standIn.calls.filter { $0.body["chatbotId"]?.string == "bot_slow" }.count
                #expect(slowSoFar <= 4, "the slow chatbot had more than its 2 slots: \(slowSoFar) of 6 calls started (unlimited: all 6 at once)")
                // Every slow call is delivered in the end.
                #expect(try await eventually(15) { try await store.statistics().delivered == 16 })
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            try await http.shutdown()
        }
    }
}
