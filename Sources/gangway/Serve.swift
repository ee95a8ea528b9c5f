import Adapters
import ArgumentParser
import Foundation
import GangwayCore
import GangwayDelivery
import GangwayServer
import Hummingbird
import Logging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Also run the stand-in chatbot API on 127.0.0.1:8090 in this process, printing each call it receives.")
    var demo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error (default: $LOG_LEVEL, else the config's log.level, else info).")
    var logLevel: String?

    @Option(help: "Log format: text (one line per event) or json (one JSON object per line); default: the config's log.format, else text.")
    var logFormat: String?

    @Option(help: "Seconds between /readyz turning 503 and the listener closing on SIGTERM.")
    var drainDelay: Double = 0

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown log level \(logLevel)") }
        if let logFormat, !LogConfiguration.formats.contains(logFormat) {
            throw ValidationError("unknown log format \(logFormat); expected text or json")
        }
    }

    func run() async throws {
        let config = try options.load()
        let levelName = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? config.log.level
        let level = Logger.Level(rawValue: levelName) ?? .info
        let json = (logFormat ?? config.log.format) == "json"
        // With tracing on, every line logged inside a span carries its trace_id and span_id.
        let traceIDs = config.telemetry.map { _ in OTel.makeLoggingMetadataProvider() }
        LoggingSystem.bootstrap(
            { label, provider in
                if json {
                    var handler = JSONLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }, metadataProvider: traceIDs)
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        let logger = Logger(label: "gangway")
        Self.raiseOpenFileLimit(logger: logger)

        var gatewayOptions = GatewayOptions(providers: AdapterRegistry.standard)
        gatewayOptions.configPath = options.path
        gatewayOptions.drainDelaySeconds = drainDelay
        if let telemetry = config.telemetry {
            do {
                let (tracer, service) = try Telemetry.tracingBackend(telemetry, logger: logger)
                gatewayOptions.tracing = CallTracing(tracer: tracer)
                gatewayOptions.telemetryService = service
            } catch {
                logger.critical("cannot start: telemetry cannot be set up", metadata: ["gangway.error": "\(error)"])
                throw ExitCode.failure
            }
        }
        gatewayOptions.renderMetrics = {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            var text = String(decoding: buffer, as: UTF8.self)
            // The acknowledgement's stages are counted outside the registry (IngestStage).
            IngestStage.render(into: &text)
            return text
        }
        let gateway: Gateway
        do {
            gateway = try await buildGateway(configuration: config, options: gatewayOptions, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["gangway.error": "\(error)"])
            throw ExitCode.failure
        }
        say("gangway: serving \(config.channels.count) channels on \(config.server.host):\(config.server.port), store \(config.store.path)")
        for ch in config.channels { say("  \(ch.provider)\t\(config.server.webhookURL(channelID: ch.id))") }

        if demo {
            let mock = MockUpstream()
            let router = Router()
            mock.addRoutes(to: router)
            let mockApp = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8090)), logger: logger)
            say("gangway: demo stand-in chatbot API on http://127.0.0.1:8090; try: gangway simulate --channel \(config.channels.first?.id ?? "<id>")")
            let group = ServiceGroup(
                configuration: .init(services: [mockApp, gateway.serviceGroup(signals: [])], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } else {
            try await gateway.serviceGroup().run()
        }
    }

    /// Every connection is a file descriptor: the soft limit (often 1024) goes up to the hard one,
    /// so that `server.maxConnections` and not the kernel decides how many sockets are held.
    static func raiseOpenFileLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(openFileLimitResource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(openFileLimitResource, &limit) != 0 {
            logger.warning("could not raise the open file limit", metadata: ["gangway.errno": "\(errno)"])
        }
    }
}

#if canImport(Glibc)
import Glibc
private let openFileLimitResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#else
import Darwin
private let openFileLimitResource = RLIMIT_NOFILE
#endif
