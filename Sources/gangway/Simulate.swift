import Adapters
import ArgumentParser
import AsyncHTTPClient
import Foundation
import GangwayCore
import NIOCore
import NIOHTTP1

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a correctly signed sample webhook of a channel's provider to the gateway.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "The channel id.") var channel: String
    @Option(help: "The sample's name (a file in adapters/<provider>/samples/, without extension); default: the first.") var sample: String?
    @Option(help: "The gateway's base URL (default: the config's own address).") var url: String?
    @Flag(help: "List the provider's samples and exit.") var list = false

    func run() async throws {
        let config = try options.load()
        guard let ch = config.channel(id: channel) else {
            throw ValidationError("no channel \(channel) in \(options.path); channels: \(config.channels.map(\.id).joined(separator: ", "))")
        }
        guard let descriptor = AdapterRegistry.standard[ch.provider] else { throw ValidationError("unknown provider \(ch.provider)") }
        let samples = try SampleFolders.list(provider: ch.provider, voice: descriptor.isVoice)
        if list {
            for s in samples { say(s.name) }
            return
        }
        let plan: [SampleFiles.Sample]
        if let sample {
            guard let one = samples.first(where: { $0.name == sample }) else {
                throw ValidationError("no sample \(sample) for \(ch.provider); samples: \(samples.map(\.name).joined(separator: ", "))")
            }
            plan = [one]
        } else {
            // A voice provider's whole call (its start, each turn, its end), else one message.
            plan = SignedSample.defaultPlan(samples, voice: descriptor.isVoice)
        }
        guard !plan.isEmpty else { throw ValidationError("no samples for \(ch.provider)") }
        let host = config.server.host == "0.0.0.0" ? "127.0.0.1" : config.server.host
        let base = url ?? "http://\(host):\(config.server.port)"
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var failed = false
        for chosen in plan {
            // Signed for the URL the gateway will reconstruct (its publicURL); sent to where it listens.
            let channelURL = config.server.webhookURL(channelID: ch.id)
            let signedURL = channelURL + chosen.subpath
            let outgoing = SignedSample.request(chosen, descriptor: descriptor, channel: ch, signedFor: channelURL, sendTo: base)
            do {
                let response = try await client.execute(outgoing, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 1 << 20)
                say("sent \(ch.provider) sample \"\(chosen.name)\" to \(base)/webhooks/\(ch.id)\(chosen.subpath) (signed for \(signedURL))")
                say("gateway answered \(response.status.code): \(String(buffer: body))")
                if response.status.code >= 300 { failed = true }
            } catch {
                try? await client.shutdown()
                var err = StandardError()
                print("cannot reach the gateway at \(base): \(error). Is `gangway serve` running?", to: &err)
                throw ExitCode.failure
            }
        }
        try await client.shutdown()
        if failed { throw ExitCode.failure }
    }
}

/// Where `simulate` finds the samples: $GANGWAY_SAMPLES, ./adapters, or an `adapters` folder above the binary.
enum SampleFolders {
    static func list(provider: String, voice: Bool) throws -> [SampleFiles.Sample] {
        var roots: [String] = []
        if let env = ProcessInfo.processInfo.environment["GANGWAY_SAMPLES"] { roots.append(env) }
        roots.append(FileManager.default.currentDirectoryPath + "/adapters")
        var dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for _ in 0..<5 {
            roots.append(dir + "/adapters")
            dir = (dir as NSString).deletingLastPathComponent
        }
        guard let folder = SampleFiles.locate(provider: provider, roots: roots) else {
            throw ValidationError("cannot find adapters/\(provider)/samples (run from the repository, or set GANGWAY_SAMPLES to the adapters folder)")
        }
        return try SampleFiles.load(folder: folder, voice: voice)
    }
}
