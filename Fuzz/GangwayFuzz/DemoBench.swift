import Adapters
import Foundation
import GangwayCore

/// One provider as the fuzz targets and the forgery matrix drive it: the demo channel of
/// `config/demo-all.yaml`, its adapter (built as the gateway builds it), its samples and how to
/// sign them.
public struct ProviderBench: Sendable {
    public let descriptor: ProviderDescriptor
    public let channel: ChannelConfiguration
    public let adapter: any ChannelAdapter
    /// `adapters/<provider>/samples`, loaded as `gangway simulate` loads them.
    public let samples: [SampleFiles.Sample]
    /// The channel's webhook URL (`http://127.0.0.1:8080/webhooks/<id>`), without a subpath.
    public let webhookURL: String

    public var name: String { descriptor.name }

    /// The same provider with other channel values (another secret, another setting).
    public func with(channel: ChannelConfiguration) -> ProviderBench {
        ProviderBench(
            descriptor: descriptor, channel: channel, adapter: descriptor.adapter(for: channel, environment: BotFrameworkTestKey.environment), samples: samples,
            webhookURL: webhookURL)
    }

    /// Signs `request` as the provider would for `channel` (this bench's own by default):
    /// ``ProviderDescriptor/signSample``, except for Bot Framework, whose tokens only Microsoft can
    /// sign; there a token of ``BotFrameworkTestKey`` (which the bench's channel trusts) is used.
    public func sign(_ request: inout SampleRequest, as channel: ChannelConfiguration? = nil) {
        let channel = channel ?? self.channel
        if descriptor.name == "botframework" {
            BotFrameworkTestKey.sign(&request, appID: channel.secret("appId"))
        } else {
            descriptor.signSample(&request, channel)
        }
    }

    /// A sample signed at `now`, as the adapter receives it (subpath set).
    public func signed(_ sample: SampleFiles.Sample, now: Date) -> InboundRequest {
        var request = SampleRequest(url: webhookURL + sample.subpath, contentType: sample.contentType, body: sample.body, now: now)
        sign(&request)
        return sample.inbound(request)
    }
}

/// Every channel of `config/demo-all.yaml` as a ``ProviderBench``.
public enum DemoBench {
    /// The repository: three folders above this file.
    public static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Why the demo config could not be read.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// One bench per provider of ``AdapterRegistry/standard``, in the registry's name order.
    /// Bot Framework's channel trusts ``BotFrameworkTestKey`` instead of Microsoft's keys.
    /// - Throws: ``LoadError`` when the config does not load or a provider has no demo channel or samples.
    public static func load() throws(LoadError) -> [ProviderBench] {
        let config: GangwayConfiguration
        do {
            config = try ConfigLoader(providers: AdapterRegistry.standard).load(path: root + "/config/demo-all.yaml")
        } catch {
            throw LoadError(description: "config/demo-all.yaml: \(error)")
        }
        var benches: [ProviderBench] = []
        for name in AdapterRegistry.standard.names {
            guard let descriptor = AdapterRegistry.standard[name] else { continue }
            guard var channel = config.channels.first(where: { $0.provider == name }) else {
                throw LoadError(description: "config/demo-all.yaml has no channel of provider \(name)")
            }
            if name == "botframework" {
                BotFrameworkTestKey.install()
                channel.settings["openIdMetadataURL"] = BotFrameworkTestKey.metadataURL
            }
            let samples: [SampleFiles.Sample]
            do {
                samples = try SampleFiles.load(folder: "\(root)/adapters/\(name)/samples", voice: descriptor.isVoice)
            } catch {
                throw LoadError(description: "adapters/\(name)/samples: \(error)")
            }
            guard !samples.isEmpty else { throw LoadError(description: "adapters/\(name)/samples has no sample") }
            benches.append(
                ProviderBench(
                    descriptor: descriptor, channel: channel, adapter: descriptor.adapter(for: channel, environment: BotFrameworkTestKey.environment),
                    samples: samples,
                    webhookURL: config.server.webhookURL(channelID: channel.id)))
        }
        return benches
    }
}
