import Foundation
import GangwayCore
import GangwayDelivery
import Logging
import Synchronization

/// What a reload did.
public struct ReloadResult: Sendable {
    /// The new configuration is in force (false: the file was refused; the old one stays).
    public var applied: Bool
    public var channels: Int = 0
    /// Settings that changed in the file but take effect only after a restart (listen address,
    /// idle timeout, store): named, never claimed as applied.
    public var restartRequired: [String] = []
    /// Every fault of a refused file, with its place.
    public var errors: [String] = []
}

/// Re-reads the config file and applies every setting that can change live: channels, secrets,
/// verification, retry policy, concurrency, timeouts, the chatbot API's address, body limit,
/// proxies, connection cap and dedup window. `POST /admin/reload` and `SIGHUP` both use it.
/// Webhooks in flight keep the configuration they started with and are answered.
public final class ConfigReloader: Sendable {
    let state: GatewayState
    let dispatcher: Dispatcher
    let client: ChatbotAPIClient
    let connections: ConnectionLimit
    let logger: Logger
    /// One reload at a time (a signal and an admin call may arrive together).
    private let serial = Mutex<Void>(())

    init(state: GatewayState, dispatcher: Dispatcher, client: ChatbotAPIClient, connections: ConnectionLimit, logger: Logger) {
        self.state = state
        self.dispatcher = dispatcher
        self.client = client
        self.connections = connections
        self.logger = logger
    }

    /// Reloads from the file the gateway was started with.
    public func reload() -> ReloadResult {
        serial.withLock { _ in reloadLocked() }
    }

    private func reloadLocked() -> ReloadResult {
        guard let path = state.configPath else {
            return ReloadResult(applied: false, errors: ["this gateway was not started from a file"])
        }
        let config: GangwayConfiguration
        do {
            config = try ConfigLoader(providers: state.providers, environment: state.environment).load(path: path)
        } catch {
            logger.error("reload refused: the file has errors; the old configuration stays", metadata: ["gangway.errors": "\(error.errors.count)"])
            return ReloadResult(applied: false, errors: error.errors.map(\.description))
        }
        let old = state.loaded.value.configuration
        let restart = Self.restartRequired(old: old, new: config)
        // What cannot change live keeps its running value, so that what the gateway reports is true.
        var applied = config
        applied.server.host = old.server.host
        applied.server.port = old.server.port
        applied.server.idleTimeoutSeconds = old.server.idleTimeoutSeconds
        applied.store = old.store
        applied.store.dedupWindowHours = config.store.dedupWindowHours
        state.loaded.replace(with: LoadedConfiguration(applied, providers: state.providers, environment: state.adapterEnvironment))
        client.setTimeout(applied.upstream.timeoutSeconds)
        client.setBaseURL(applied.upstream.baseURL)
        dispatcher.update(
            configuration: .init(
                upstream: applied.upstream, store: applied.store, chatbots: applied.distinctChatbots, channels: Set(applied.channels.map(\.id))))
        connections.setLimit(applied.server.maxConnections)
        var meta: Logger.Metadata = ["gangway.channels": "\(applied.channels.count)"]
        if !restart.isEmpty { meta["gangway.restart.required"] = "\(restart.joined(separator: ", "))" }
        logger.notice("configuration reloaded", metadata: meta)
        return ReloadResult(applied: true, channels: applied.channels.count, restartRequired: restart)
    }

    /// The settings that differ and need a restart.
    static func restartRequired(old: GangwayConfiguration, new: GangwayConfiguration) -> [String] {
        var names: [String] = []
        if new.server.host != old.server.host { names.append("server.host") }
        if new.server.port != old.server.port { names.append("server.port") }
        if new.server.idleTimeoutSeconds != old.server.idleTimeoutSeconds { names.append("server.idleTimeoutSeconds") }
        if new.store.driver != old.store.driver { names.append("store.driver") }
        if new.store.path != old.store.path { names.append("store.path") }
        if new.store.url?.value != old.store.url?.value { names.append("store.url") }
        if new.store.maxConnections != old.store.maxConnections { names.append("store.maxConnections") }
        if new.telemetry != old.telemetry { names.append("telemetry") }
        if new.log != old.log { names.append("log") }
        return names
    }
}

extension GangwayConfiguration {
    /// How many chatbots (chatbotId and API key) the channels name: the dispatcher's lanes.
    public var distinctChatbots: Int {
        Set(channels.map { "\($0.chatbotId)\u{1F}\($0.apiKey?.value ?? upstream.apiKey?.value ?? "")" }).count
    }
}
