import Foundation
import GangwayCore
import Synchronization

/// The configuration being served, with each channel's adapter built once.
public struct LoadedConfiguration: Sendable {
    public struct Channel: Sendable {
        public var configuration: ChannelConfiguration
        public var adapter: any ChannelAdapter
    }

    public let configuration: GangwayConfiguration
    public let channels: [String: Channel]

    /// - Parameter environment: what the adapters share (the gateway's keys and memory).
    public init(_ configuration: GangwayConfiguration, providers: ProviderRegistry, environment: AdapterEnvironment) {
        self.configuration = configuration
        var channels: [String: Channel] = [:]
        for ch in configuration.channels {
            // The loader has checked that every provider exists.
            guard let d = providers[ch.provider] else { continue }
            channels[ch.id] = Channel(configuration: ch, adapter: d.adapter(for: ch, environment: environment))
        }
        self.channels = channels
    }

    /// The upstream key of a channel: its own, else `upstream.apiKey`.
    public func apiKey(channelID: String) -> String {
        channels[channelID]?.configuration.apiKey?.value ?? configuration.upstream.apiKey?.value ?? ""
    }
}

/// Run-time state shared by the routes: the configuration (reloadable) and the lifecycle phase.
public final class GatewayState: Sendable {
    public enum Phase: Int, Sendable {
        case starting = 0
        case ready = 1
        case draining = 2
    }

    public let loaded: Reloadable<LoadedConfiguration>
    public let providers: ProviderRegistry
    /// What every channel's adapter shares, across reloads: signing keys, memory.
    public let adapterEnvironment: AdapterEnvironment
    /// The file `POST /admin/reload` reads again (nil: reload is refused).
    public let configPath: String?
    public let environment: [String: String]
    private let phase = Atomic<Int>(Phase.starting.rawValue)

    public init(
        loaded: LoadedConfiguration, providers: ProviderRegistry, adapterEnvironment: AdapterEnvironment, configPath: String?,
        environment: [String: String]
    ) {
        self.loaded = Reloadable(loaded)
        self.providers = providers
        self.adapterEnvironment = adapterEnvironment
        self.configPath = configPath
        self.environment = environment
    }

    public var currentPhase: Phase { Phase(rawValue: phase.load(ordering: .relaxed)) ?? .starting }

    public func setPhase(_ p: Phase) {
        // Never leave draining.
        if currentPhase == .draining { return }
        phase.store(p.rawValue, ordering: .relaxed)
    }
}
