import GangwayCore
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// The OpenTelemetry tracing backend of `telemetry:` (swift-otel): spans batched and posted over
/// OTLP/HTTP (protobuf) to the collector. Only traces: metrics stay on `/metrics`, logs on stderr.
enum Telemetry {
    static func tracingBackend(_ telemetry: TelemetryConfiguration, logger: Logger) throws -> (any Tracer, any Service) {
        var config = OTel.Configuration.default
        config.serviceName = telemetry.serviceName
        config.logs.enabled = false
        config.metrics.enabled = false
        config.traces.enabled = true
        config.traces.exporter = .otlp
        config.traces.otlpExporter.endpoint = telemetry.tracesURL
        config.traces.otlpExporter.protocol = .httpProtobuf
        // Spans leave within a second, so that a trace is whole soon after the call is delivered.
        config.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        config.diagnosticLogger = .custom(logger)
        config.diagnosticLogLevel = .warning
        let (tracer, service) = try OTel.makeTracingBackend(configuration: config)
        return (tracer, service)
    }
}
