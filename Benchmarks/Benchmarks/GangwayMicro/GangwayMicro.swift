// Micro-benchmarks of the ingest path's parts: each provider's signature check and
// normalization on its own signed sample, the envelope's JSON, the store's enqueue commit and
// the dispatcher's claim. Thresholds: `swift package benchmark baseline update` records a
// baseline; `swift package benchmark baseline check` fails when a benchmark regresses past the
// thresholds below (see Benchmarks/README.md).
import Adapters
import Benchmark
import Foundation
import GangwayCore
import GangwayDelivery

/// The repository root, from this file's place (Benchmarks/Benchmarks/GangwayMicro/).
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// One provider's adapter and a request signed the way the provider signs it.
struct SignedSample {
    var provider: String
    var adapter: any ChannelAdapter
    var request: InboundRequest
}

/// Every channel of config/demo-all.yaml with its first text-like sample, signed now.
func signedSamples() -> [SignedSample] {
    let path = repository.appendingPathComponent("config/demo-all.yaml").path
    let config: GangwayConfiguration
    do {
        config = try ConfigLoader(providers: AdapterRegistry.standard).load(path: path)
    } catch {
        fatalError("cannot load \(path): \(error)")
    }
    var out: [SignedSample] = []
    for channel in config.channels {
        guard let descriptor = AdapterRegistry.standard[channel.provider] else { continue }
        let folder = repository.appendingPathComponent("adapters/\(channel.provider)/samples").path
        let samples = (try? SampleFiles.load(folder: folder, voice: descriptor.isVoice)) ?? []
        let adapter = descriptor.makeAdapter(channel)
        let url = config.server.webhookURL(channelID: channel.id)
        // The first text-like sample that the adapter verifies and turns into a call (not a handshake,
        // not an empty acknowledgement): the same rule for every provider, no list of exceptions.
        let preferred = ["text", "sms", "start"]
        let ordered = preferred.compactMap { name in samples.first { $0.name == name } } + samples.filter { !preferred.contains($0.name) }
        let usable = ordered.lazy.map { $0.inbound($0.signed(descriptor, channel, webhookURL: url)) }.first { request in
            do {
                guard try adapter.handshake(request) == nil else { return false }
                try adapter.verify(request)
                return try !adapter.normalize(request).isEmpty
            } catch {
                return false
            }
        }
        // Bot Framework is signed by Microsoft's keys: none of its samples verify here.
        guard let request = usable else {
            FileHandle.standardError.write(Data("skipped \(channel.provider): no sample verifies and normalizes\n".utf8))
            continue
        }
        out.append(SignedSample(provider: channel.provider, adapter: adapter, request: request))
    }
    return out
}

/// A store in a temporary folder, removed at teardown.
final class StoreBox: @unchecked Sendable {
    var store: SQLiteDeliveryStore?
    var folder: URL?
    var counter = 0

    func open() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gangway-micro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        folder = dir
        let s = try SQLiteDeliveryStore(path: dir.appendingPathComponent("bench.sqlite").path)
        try await s.prepare()
        store = s
    }

    func close() {
        store = nil
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    /// A webhook's worth of calls (one), each with a new key.
    func next(_ template: NewDelivery, conversations: Int = 1000) -> [NewDelivery] {
        counter += 1
        var d = template
        d.key = "bench:\(counter)"
        d.conversation = "bot\u{1F}bench\u{1F}user-\(counter % conversations)"
        return [d]
    }
}

let benchmarks: @Sendable () -> Void = {
    // A change that makes p50 wall clock 10% worse, or adds mallocs, fails `baseline check`.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 10,
        maxDuration: .seconds(1),
        maxIterations: 20_000,
        thresholds: [
            .wallClock: .init(relative: [.p50: 10.0, .p90: 20.0]),
            .mallocCountTotal: .init(relative: [.p50: 5.0], absolute: [.p50: 2]),
        ])

    let samples = signedSamples()

    // Signature checks, one per provider scheme (HMAC-SHA1/256/512 in their providers' forms,
    // Ed25519, JWT, bearer tokens, Basic auth, AES-CBC for WeChat's safe mode).
    for s in samples {
        Benchmark("verify \(s.provider)") { benchmark in
            for _ in benchmark.scaledIterations {
                do { try s.adapter.verify(s.request) } catch { benchmark.error("\(error)") }
            }
        }
    }

    // Normalization: the provider's payload into calls.
    for s in samples {
        Benchmark("normalize \(s.provider)") { benchmark in
            for _ in benchmark.scaledIterations {
                do { blackHole(try s.adapter.normalize(s.request)) } catch { benchmark.error("\(error)") }
            }
        }
    }

    // The envelope written for the store, and what JSONEncoder took for the same (the baseline).
    if let whatsapp = samples.first(where: { $0.provider == "whatsapp" }),
        let call = try? whatsapp.adapter.normalize(whatsapp.request).first
    {
        let channel = ChannelConfiguration(id: "wa", name: "WA", provider: "whatsapp", chatbotId: "bot_bench")
        let envelope = UpstreamEnvelope(call: call, channel: channel)
        Benchmark("envelope JSON (gangway writer)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(envelope.jsonBytes()) }
        }
        Benchmark("envelope JSON (Foundation JSONEncoder, baseline)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(envelope.encodedByFoundation()) }
        }

        // The store's enqueue: one webhook's call committed (SQLite WAL, synchronous=FULL: one
        // fsync per commit when calls arrive one at a time, as here).
        let template = NewDelivery(call: call, channel: channel)
        let box = StoreBox()
        Benchmark(
            "store enqueue commit (SQLite, fsync)",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .microseconds, maxDuration: .seconds(2),
                maxIterations: 5_000)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                do { blackHole(try await box.store!.enqueue(box.next(template), now: Date())) } catch { benchmark.error("\(error)") }
            }
        } setup: {
            try await box.open()
        } teardown: {
            box.close()
        }

        // The dispatcher's claim: the next 32 due heads of conversations out of 100,000 pending
        // calls over 1,000 conversations. Only the claim is measured; the claimed calls are then
        // marked delivered (as the dispatcher does), so that their conversations' next calls become heads.
        let claimBox = StoreBox()
        Benchmark(
            "dispatcher claim 32 of 100k pending (SQLite)",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal], timeUnits: .microseconds, maxDuration: .seconds(2),
                maxIterations: 1_000)
        ) { benchmark in
            do {
                benchmark.startMeasurement()
                let claimed = try await claimBox.store!.claim(limit: 32, now: Date(), lease: 3600)
                benchmark.stopMeasurement()
                if claimed.isEmpty { benchmark.error("nothing left to claim") }
                for d in claimed { try await claimBox.store!.markDelivered(id: d.id, status: 202, now: Date()) }
            } catch { benchmark.error("\(error)") }
        } setup: {
            try await claimBox.open()
            var batch: [NewDelivery] = []
            for _ in 0..<100_000 {
                batch += claimBox.next(template)
                if batch.count == 5_000 {
                    _ = try await claimBox.store!.enqueue(batch, now: Date())
                    batch = []
                }
            }
        } teardown: {
            claimBox.close()
        }
    }
}
