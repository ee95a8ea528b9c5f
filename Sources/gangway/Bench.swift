import Adapters
import ArgumentParser
import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Tools for `Benchmarks/run.sh`: a Hummingbird hello-world baseline, a load generator that signs
/// each request, and a backlog filler. Not part of the gateway's contract.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark tools (see Benchmarks/README.md).", subcommands: [Hello.self, Load.self, Fill.self], helpNames: [.long])

    struct Hello: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hummingbird's hello-world, the baseline of the ingest benchmark.")
        @Option var port: Int = 8099

        func run() async throws {
            let router = Router()
            router.get("/") { _, _ in "Hello, world!" }
            router.post("/") { _, _ in "Hello, world!" }
            var logger = Logger(label: "hello")
            logger.logLevel = .warning
            try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger).runService()
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sends distinct, correctly signed WhatsApp webhooks: closed loop (--connections) or open loop (--rate).")
        @Option(help: "The webhook URL.") var url: String
        @Option var appSecret: String = "bench-app-secret"
        @Option var connections: Int = 32
        @Option(help: "Requests per second, open loop (0: as fast as the connections allow).") var rate: Double = 0
        @Option var seconds: Double = 10
        @Option(help: "Distinct senders (conversations).") var conversations: Int = 1000
        @Option(help: "A prefix that makes message ids unique across runs.") var run: String = UUID().uuidString.prefix(8).lowercased()

        static func body(_ n: Int, conversations: Int, run: String) -> [UInt8] {
            let from = 4_900_000_000 + n % conversations
            return Array(
                #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Load"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"wamid.\#(run).\#(n)","timestamp":"1764064800","type":"text","text":{"body":"load \#(n)"}}]}}]}]}"#
                    .utf8)
        }

        func run() async throws {
            var config = HTTPClient.Configuration()
            config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
            let state = LoadState()
            let start = ContinuousClock.now
            let end = start + .seconds(seconds)
            let connections = self.connections
            let rate = self.rate
            let key = Array(appSecret.utf8)
            let url = self.url
            let conversations = self.conversations
            let runID = self.run
            @Sendable func one(_ n: Int) async {
                let bytes = Load.body(n, conversations: conversations, run: runID)
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "x-hub-signature-256", value: "sha256=" + Signatures.hex(Signatures.hmac(.sha256, key: key, message: bytes)))
                request.body = .bytes(ByteBuffer(bytes: bytes))
                let t0 = ContinuousClock.now
                do {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 16)
                    let ms = Double((ContinuousClock.now - t0).components.attoseconds) / 1e15 + Double((ContinuousClock.now - t0).components.seconds) * 1000
                    state.results.withLock {
                        if response.status == .ok {
                            $0.ok += 1
                            $0.latencies.append(ms)
                        } else {
                            $0.failed += 1
                        }
                    }
                } catch {
                    state.results.withLock { $0.failed += 1 }
                }
            }
            if rate > 0 {
                // Open loop: requests start on schedule whether or not earlier ones have finished.
                await withDiscardingTaskGroup { group in
                    let interval = 1.0 / rate
                    var i = 0
                    while ContinuousClock.now < end {
                        let due = start + .seconds(Double(i) * interval)
                        if due > ContinuousClock.now { try? await Task.sleep(until: due) }
                        let n = i
                        group.addTask { await one(n) }
                        i += 1
                    }
                }
            } else {
                await withDiscardingTaskGroup { group in
                    for _ in 0..<connections {
                        group.addTask {
                            while ContinuousClock.now < end {
                                let n = state.counter.add(1, ordering: .relaxed).oldValue
                                await one(n)
                            }
                        }
                    }
                }
            }
            let elapsed = Double((ContinuousClock.now - start).components.seconds) + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            try await client.shutdown()
            let r = state.results.withLock { $0 }
            let sorted = r.latencies.sorted()
            func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            let json = JSONValue.object([
                ("ok", .number(String(r.ok))), ("failed", .number(String(r.failed))),
                ("seconds", .number(String(format: "%.3f", elapsed))),
                ("rps", .number(String(format: "%.1f", Double(r.ok) / elapsed))),
                ("p50ms", .number(String(format: "%.3f", pct(0.5)))), ("p99ms", .number(String(format: "%.3f", pct(0.99)))),
                ("maxms", .number(String(format: "%.3f", sorted.last ?? 0))),
            ])
            say(json.serialized())
        }
    }

    final class LoadState: Sendable {
        let counter = Atomic<Int>(0)
        let results = Mutex<(latencies: [Double], ok: Int, failed: Int)>(([], 0, 0))
    }

    struct Fill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adds N pending calls to the configured store (a backlog), in bulk: SQLite, or PostgreSQL with driver: postgres.")
        @OptionGroup var options: ConfigOptions
        @Option var count: Int = 1_000_000
        @Option var channel: String
        @Option var conversations: Int = 1000

        func run() async throws {
            let config = try options.load()
            guard let ch = config.channel(id: channel) else { throw ValidationError("no channel \(channel)") }
            if config.store.driver == .postgres {
                try await Deliveries.withStore(options) { store in try await fill(store, channel: ch) }
            } else {
                try await fill(try SQLiteDeliveryStore(path: config.store.path), channel: ch)
            }
        }

        private func fill(_ store: any DeliveryStore, channel ch: ChannelConfiguration) async throws {
            try await store.prepare()
            let batch = 10_000
            var done = 0
            let runID = UUID().uuidString.prefix(8)
            while done < count {
                let n = min(batch, count - done)
                let calls = (done..<done + n).map { i in
                    NewDelivery(
                        call: .handle(
                            key: "fill.\(runID).\(i)", providerId: "49\(1_000_000 + i % conversations)",
                            message: InboundMessage(id: "fill.\(i)", type: .text, text: "backlog \(i)"), provider: ProviderInfo(name: ch.provider)),
                        channel: ch)
                }
                _ = try await store.enqueue(calls, now: Date())
                done += n
            }
            say("filled \(done)")
        }
    }
}
