import AsyncHTTPClient
import Foundation
import GangwayCore
import GangwayDelivery
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// The running parts of one gateway, composed once by ``buildGateway(configuration:options:logger:)``.
public struct Gateway: Sendable {
    public let state: GatewayState
    public let store: any DeliveryStore
    public let dispatcher: Dispatcher
    public let client: ChatbotAPIClient
    let application: Application<RouterResponder<GatewayRequestContext>>
    let drainGate: DrainGate
    let logger: Logger
    /// Applies a changed config file live (`POST /admin/reload`, `SIGHUP`).
    public let reloader: ConfigReloader
    public let connections: ConnectionLimit
    /// Exports spans (tracing on): started first and stopped last, so that the last spans go out.
    let telemetryService: (any Service)?

    /// The services in start order (span exporter → store → HTTP client → dispatcher → server →
    /// drain gate → SIGHUP reload); they shut down in reverse.
    public func serviceGroup(signals: [UnixSignal] = [.sigterm, .sigint], reloadOnSIGHUP: Bool = true) -> ServiceGroup {
        var services: [any Service] = (telemetryService.map { [$0] } ?? []) + [application, drainGate]
        if reloadOnSIGHUP { services.append(ReloadSignalService(reloader: reloader, logger: logger)) }
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}

/// Options of a gateway process that are not part of the YAML.
public struct GatewayOptions: Sendable {
    /// The config file, for `POST /admin/reload`.
    public var configPath: String?
    public var providers: ProviderRegistry
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Renders `/metrics` (the process's Prometheus registry).
    public var renderMetrics: (@Sendable () -> String)?
    /// Overrides `server.port` (0: any free port, for tests).
    public var port: Int?
    /// Called with the bound port once the server listens.
    public var onListening: (@Sendable (Int) async -> Void)?
    /// Seconds to wait after `/readyz` turns 503 before closing the listener.
    public var drainDelaySeconds: Double = 0
    /// An already-open store (tests); otherwise built from `store`.
    public var store: (any DeliveryStore)?
    /// What the adapters share (tests put signing keys in); a new one otherwise.
    public var adapterEnvironment: AdapterEnvironment?
    /// Spans of webhooks and delivery attempts (`telemetry:`); off by default.
    public var tracing: CallTracing = .off
    /// The service that exports the tracer's spans, run with the gateway's services.
    public var telemetryService: (any Service)?

    public init(providers: ProviderRegistry) { self.providers = providers }
}

/// Builds the gateway: opens and prepares the store, the HTTP client, the dispatcher and the
/// HTTP server with every route. `serve`, `serve --demo` and the tests all use it.
/// - Parameters:
///   - configuration: the validated configuration.
///   - options: what is not in the YAML.
///   - logger: the process logger.
public func buildGateway(configuration: GangwayConfiguration, options: GatewayOptions, logger: Logger) async throws -> Gateway {
    let store: any DeliveryStore
    var storeServices: [any Service] = []
    if let given = options.store {
        store = given
    } else {
        switch configuration.store.driver {
        case .postgres:
            let client = PostgresClient(
                configuration: try PostgresDeliveryStore.configuration(store: configuration.store), backgroundLogger: logger)
            store = PostgresDeliveryStore(client: client, logger: logger)
            storeServices.append(client)
        default:
            do {
                store = try SQLiteDeliveryStore(path: configuration.store.path)
            } catch {
                throw GatewayStartError("cannot open the store \(configuration.store.path) (store.path): \(error)")
            }
        }
    }

    var clientConfig = HTTPClient.Configuration()
    clientConfig.timeout = .init(
        connect: .milliseconds(Int64(min(configuration.upstream.timeoutSeconds, 10) * 1000)),
        read: .milliseconds(Int64(configuration.upstream.timeoutSeconds * 1000)))
    let dispatcherConfiguration = Dispatcher.Configuration(
        upstream: configuration.upstream, store: configuration.store, chatbots: configuration.distinctChatbots,
        channels: Set(configuration.channels.map(\.id)))
    // Each chatbot has its own concurrency, all on one host: the pool must not make one chatbot's
    // calls queue behind another's (the dispatcher bounds the total; a reload may add chatbots).
    clientConfig.connectionPool = .init(
        idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(dispatcherConfiguration.totalCapacity, 1024))
    clientConfig.redirectConfiguration = .disallow
    clientConfig.decompression = .disabled
    let deliveryGroup = HTTPClientService.deliveryEventLoopGroup()
    let httpClient = HTTPClient(eventLoopGroupProvider: .shared(deliveryGroup), configuration: clientConfig, backgroundActivityLogger: logger)
    let client = ChatbotAPIClient(httpClient: httpClient, baseURL: configuration.upstream.baseURL, timeout: configuration.upstream.timeoutSeconds)

    // What the adapters share (keys the fetcher below fills, the conversation memory): one per gateway.
    let adapterEnvironment = options.adapterEnvironment ?? AdapterEnvironment(memory: AdapterMemory(store: store))
    let state = GatewayState(
        loaded: LoadedConfiguration(configuration, providers: options.providers, environment: adapterEnvironment), providers: options.providers,
        adapterEnvironment: adapterEnvironment, configPath: options.configPath, environment: options.environment)
    // Each channel's totals and last webhooks, for the console.
    let activity = ChannelActivity()
    let recent = RecentWebhooks()
    let dispatcher = Dispatcher(
        store: store, client: client, configuration: dispatcherConfiguration,
        apiKey: { [state] channel in state.loaded.value.apiKey(channelID: channel) }, logger: logger, activity: activity,
        tracing: options.tracing)

    dispatcher.holdUntilStoreIsReady()
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    if options.renderMetrics != nil { router.add(middleware: MetricsMiddleware()) }
    WebhookController(
        state: state, store: store, dispatcher: dispatcher,
        forwarder: DirectForwarder(client: client, store: store, activity: activity, tracing: options.tracing),
        activity: activity, recent: recent, tracing: options.tracing
    ).addRoutes(to: router)
    HealthController(state: state, store: store, renderMetrics: options.renderMetrics).addRoutes(to: router)
    // The console is a page like any other; what it shows comes from the admin API, with the token.
    router.get("/console") { _, _ in
        // ConsolePage.headers: no-store, nosniff, no referrer, and a Content-Security-Policy that allows
        // only the page's own inline style and script and requests to the same origin.
        Response(status: .ok, headers: ConsolePage.headers, body: .init(byteBuffer: ByteBuffer(string: ConsolePage.html)))
    }
    let admin = router.group("admin").add(middleware: AdminAuthMiddleware(state: state))
    let connections = ConnectionLimit(limit: configuration.server.maxConnections)
    let reloader = ConfigReloader(state: state, dispatcher: dispatcher, client: client, connections: connections, logger: logger)
    AdminController(
        state: state, store: store, dispatcher: dispatcher, reloader: reloader, client: client, activity: activity, recent: recent
    ).addRoutes(to: admin)

    let onListening = options.onListening
    // The store is prepared (schema, leases) before the server accepts anything; a PostgreSQL client
    // runs as the first service, so it is up by then.
    // Never the URL in the message: it holds the database password.
    let storeName = configuration.store.driver == .postgres ? "the PostgreSQL store (store.url)" : "the store \(configuration.store.path) (store.path)"
    let prepareStore: @Sendable () async throws -> Void = {
        do {
            try await store.prepare()
            dispatcher.storeIsReady()
        } catch {
            logger.critical("cannot start: \(storeName) cannot be prepared", metadata: ["gangway.error": "\(error)"])
            throw GatewayStartError("cannot prepare \(storeName): \(error)")
        }
    }
    var app = Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [connections.handler()],
                idleTimeout: .milliseconds(SafeNumbers.int64(configuration.server.idleTimeoutSeconds * 1000) ?? 30_000))),
        configuration: .init(
            address: .hostname(configuration.server.host, port: options.port ?? configuration.server.port), serverName: nil,
            // A burst of connections (a flood, or many providers at once) waits in the kernel's queue
            // instead of being dropped and retried a second later (Hummingbird's default is 256; the
            // kernel caps it at net.core.somaxconn).
            backlog: 4096),
        services: storeServices + [
            HTTPClientService(client: httpClient, group: deliveryGroup),
            // Signing keys of providers that publish them (Bot Framework's OpenID metadata), cached and refreshed.
            OpenIDKeyFetcher(client: httpClient, directory: adapterEnvironment.keys, logger: logger),
            dispatcher,
        ],
        onServerRunning: { channel in
            state.setPhase(.ready)
            logger.info("gateway listening", metadata: ["gangway.address": "\(channel.localAddress?.description ?? "?")"])
            await onListening?(channel.localAddress?.port ?? 0)
        },
        logger: logger)
    app.beforeServerStarts(perform: prepareStore)
    return Gateway(
        state: state, store: store, dispatcher: dispatcher, client: client, application: app,
        drainGate: DrainGate(state: state, delay: options.drainDelaySeconds), logger: logger, reloader: reloader, connections: connections,
        telemetryService: options.telemetryService)
}

/// The gateway cannot start.
public struct GatewayStartError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
