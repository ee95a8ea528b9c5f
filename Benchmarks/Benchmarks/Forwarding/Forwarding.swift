// The forwarding client, side by side: AsyncHTTPClient (what the dispatcher uses) against
// Foundation's URLSession (libcurl on Linux) posting the same envelopes to the same local
// stand-in, 64 at a time as the dispatcher does with `maxConcurrency: 64`.
import AsyncHTTPClient
import Benchmark
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A chatbot API stand-in on loopback that accepts every call (202, as `/handle` with async).
final class StandIn: @unchecked Sendable {
    var port = 0
    private var task: Task<Void, any Error>?

    func start() async throws {
        let router = Router()
        router.post("/api/v2/{chatbotId}/handle") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .accepted, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup(numberOfThreads: 1)))
        task = Task { try await app.runService() }
        for await p in ready.stream {
            port = p
            break
        }
    }

    func stop() { task?.cancel() }
}

let envelope = Array(
    #"{"async":true,"channelId":"wa","channelName":"WA","chatbotId":"bot_bench","contact":{"name":"Ana"},"message":{"id":"wamid.1","text":"Hello, I would like to book a table for two tonight","timestamp":"2026-11-26T10:00:00Z","type":"text"},"provider":{"name":"whatsapp","recipientId":"106540352242922"},"providerId":"16505551234"}"#
        .utf8)
let batch = 64

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .cpuTotal, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 5,
        maxDuration: .seconds(5),
        maxIterations: 400,
        thresholds: [.wallClock: .init(relative: [.p50: 15.0])])

    // Each benchmark runs in a process of its own: every one starts the stand-in.
    let standIn = StandIn()
    Benchmark.setup = { try await standIn.start() }
    Benchmark.teardown = { standIn.stop() }

    Benchmark("forward 64 calls (AsyncHTTPClient)") { benchmark in
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: batch)))
        let url = "http://127.0.0.1:\(standIn.port)/api/v2/bot_bench/handle"
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Int.self) { group in
                for i in 0..<batch {
                    group.addTask {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.headers.add(name: "idempotency-key", value: "wa:\(i)")
                        request.body = .bytes(ByteBuffer(bytes: envelope))
                        do {
                            let response = try await client.execute(request, timeout: .seconds(10))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            return Int(response.status.code)
                        } catch { return 0 }
                    }
                }
                for await status in group where status != 202 { benchmark.error("AsyncHTTPClient got \(status)") }
            }
        }
        benchmark.stopMeasurement()
        try? await client.shutdown()
    }

    Benchmark("forward 64 calls (URLSession, libcurl)") { benchmark in
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = batch
        let session = URLSession(configuration: configuration)
        let url = URL(string: "http://127.0.0.1:\(standIn.port)/api/v2/bot_bench/handle")!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            await withTaskGroup(of: Int.self) { group in
                for i in 0..<batch {
                    group.addTask {
                        var request = URLRequest(url: url)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "content-type")
                        request.setValue("wa:\(i)", forHTTPHeaderField: "idempotency-key")
                        request.httpBody = Data(envelope)
                        do {
                            let (_, response) = try await session.data(for: request)
                            return (response as? HTTPURLResponse)?.statusCode ?? 0
                        } catch { return 0 }
                    }
                }
                for await status in group where status != 202 { benchmark.error("URLSession got \(status)") }
            }
        }
        benchmark.stopMeasurement()
        session.invalidateAndCancel()
    }
}
